package kaa.rpc.internal.pickle;

/**
 * The pickle opcodes of protocols 0 to 5, as Python's {@code pickletools}
 * names them, and their names for messages.
 */
final class Opcodes {

    private Opcodes() {
    }

    // protocol 0
    static final int MARK = '(';
    static final int STOP = '.';
    static final int POP = '0';
    static final int DUP = '2';
    static final int FLOAT = 'F';
    static final int INT = 'I';
    static final int LONG = 'L';
    static final int NONE = 'N';
    static final int PERSID = 'P';
    static final int REDUCE = 'R';
    static final int STRING = 'S';
    static final int UNICODE = 'V';
    static final int APPEND = 'a';
    static final int BUILD = 'b';
    static final int GLOBAL = 'c';
    static final int DICT = 'd';
    static final int GET = 'g';
    static final int INST = 'i';
    static final int LIST = 'l';
    static final int PUT = 'p';
    static final int SETITEM = 's';
    static final int TUPLE = 't';

    // protocol 1
    static final int POP_MARK = '1';
    static final int BININT = 'J';
    static final int BININT1 = 'K';
    static final int BININT2 = 'M';
    static final int BINPERSID = 'Q';
    static final int BINSTRING = 'T';
    static final int SHORT_BINSTRING = 'U';
    static final int BINUNICODE = 'X';
    static final int BINFLOAT = 'G';
    static final int EMPTY_LIST = ']';
    static final int APPENDS = 'e';
    static final int EMPTY_TUPLE = ')';
    static final int EMPTY_DICT = '}';
    static final int SETITEMS = 'u';
    static final int BINGET = 'h';
    static final int LONG_BINGET = 'j';
    static final int BINPUT = 'q';
    static final int LONG_BINPUT = 'r';
    static final int OBJ = 'o';

    // protocol 2
    static final int PROTO = 0x80;
    static final int NEWOBJ = 0x81;
    static final int EXT1 = 0x82;
    static final int EXT2 = 0x83;
    static final int EXT4 = 0x84;
    static final int TUPLE1 = 0x85;
    static final int TUPLE2 = 0x86;
    static final int TUPLE3 = 0x87;
    static final int NEWTRUE = 0x88;
    static final int NEWFALSE = 0x89;
    static final int LONG1 = 0x8a;
    static final int LONG4 = 0x8b;

    // protocol 3
    static final int BINBYTES = 'B';
    static final int SHORT_BINBYTES = 'C';

    // protocol 4
    static final int SHORT_BINUNICODE = 0x8c;
    static final int BINUNICODE8 = 0x8d;
    static final int BINBYTES8 = 0x8e;
    static final int EMPTY_SET = 0x8f;
    static final int ADDITEMS = 0x90;
    static final int FROZENSET = 0x91;
    static final int NEWOBJ_EX = 0x92;
    static final int STACK_GLOBAL = 0x93;
    static final int MEMOIZE = 0x94;
    static final int FRAME = 0x95;

    // protocol 5
    static final int BYTEARRAY8 = 0x96;
    static final int NEXT_BUFFER = 0x97;
    static final int READONLY_BUFFER = 0x98;

    private static final String[] NAMES = new String[256];

    static {
        String[] named = {
            "(MARK", ".STOP", "0POP", "2DUP", "FFLOAT", "IINT", "LLONG", "NNONE", "PPERSID", "RREDUCE", "SSTRING",
            "VUNICODE", "aAPPEND", "bBUILD", "cGLOBAL", "dDICT", "gGET", "iINST", "lLIST", "pPUT", "sSETITEM",
            "tTUPLE", "1POP_MARK", "JBININT", "KBININT1", "MBININT2", "QBINPERSID", "TBINSTRING",
            "USHORT_BINSTRING", "XBINUNICODE", "GBINFLOAT", "]EMPTY_LIST", "eAPPENDS", ")EMPTY_TUPLE",
            "}EMPTY_DICT", "uSETITEMS", "hBINGET", "jLONG_BINGET", "qBINPUT", "rLONG_BINPUT", "oOBJ",
            "BBINBYTES", "CSHORT_BINBYTES",
        };
        for (String n : named) {
            NAMES[n.charAt(0)] = n.substring(1);
        }
        String[] high = {
            "PROTO", "NEWOBJ", "EXT1", "EXT2", "EXT4", "TUPLE1", "TUPLE2", "TUPLE3", "NEWTRUE", "NEWFALSE", "LONG1",
            "LONG4", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES8", "EMPTY_SET", "ADDITEMS", "FROZENSET",
            "NEWOBJ_EX", "STACK_GLOBAL", "MEMOIZE", "FRAME", "BYTEARRAY8", "NEXT_BUFFER", "READONLY_BUFFER",
        };
        for (int i = 0; i < high.length; i++) {
            NAMES[PROTO + i] = high[i];
        }
    }

    /** {@code 0x4b (BININT1)}, or {@code 0xff} alone for a byte that is no opcode. */
    static String describe(int opcode) {
        String hex = "0x" + Integer.toHexString(opcode);
        return NAMES[opcode] == null ? hex : hex + " (" + NAMES[opcode] + ")";
    }

    static String name(int opcode) {
        return NAMES[opcode] == null ? "opcode 0x" + Integer.toHexString(opcode) : NAMES[opcode];
    }
}
