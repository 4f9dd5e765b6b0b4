package kaa.rpc.internal.pickle;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.math.BigInteger;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import kaa.rpc.RemoteException;
import kaa.rpc.internal.value.PyObject;
import kaa.rpc.internal.value.Repr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Exceptions both ways across an EXCP: Java ones as Python builtins, and whatever a peer sends as a RemoteException. */
class RemoteErrorsTest {

    static Stream<Arguments> javaToPython() {
        return Stream.of(
                Arguments.of(new IllegalArgumentException("x"), "ValueError"),
                Arguments.of(new NumberFormatException("x"), "ValueError"),
                Arguments.of(new ClassCastException("x"), "TypeError"),
                Arguments.of(new ArrayIndexOutOfBoundsException(3), "IndexError"),
                Arguments.of(new NoSuchElementException("x"), "LookupError"),
                Arguments.of(new UnsupportedOperationException("x"), "NotImplementedError"),
                Arguments.of(new ArithmeticException("/ by zero"), "ZeroDivisionError"),
                Arguments.of(new ArithmeticException("Rounding necessary"), "ArithmeticError"),
                Arguments.of(new IOException("x"), "IOError"),
                Arguments.of(new UncheckedIOException(new IOException("x")), "IOError"),
                Arguments.of(new AssertionError("x"), "AssertionError"),
                Arguments.of(new OutOfMemoryError("x"), "MemoryError"),
                Arguments.of(new IllegalStateException("x"), "RuntimeError"),
                Arguments.of(new Exception("x"), "Exception"),
                Arguments.of(new StackOverflowError(), "Exception"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("javaToPython")
    void javaExceptionsBecomeBuiltinsThatKeepTheirClass(Throwable t, String python) {
        PyObject exc = RemoteErrors.toPython(t);
        assertThat(exc.name()).isEqualTo(python);
        assertThat(exc.state()).containsEntry("java_class", t.getClass().getName());
        assertThat(exc.args()).hasSize(t.getMessage() == null ? 0 : 1);
    }

    @Test
    void aRemoteExceptionSentOnKeepsItsRemoteType() {
        RemoteException remote = new RemoteException("f", "mod.Error", "boom", List.of());
        assertThat(RemoteErrors.toPython(remote).state()).containsEntry("java_class", "mod.Error");
    }

    @Test
    void theStackLeavesOutTheLibrarysFramesUnlessNothingElseIsLeft() {
        Exception t = new Exception("x");
        t.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("com.example.Media", "fail", "Media.java", 20),
            new StackTraceElement("kaa.rpc.internal.Session", "invoke", "Session.java", 1),
            new StackTraceElement("java.lang.Thread", "run", null, 2)});
        List<Object[]> frames = RemoteErrors.stack(t);
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0)).containsExactly("Media.java", 20, "com.example.Media.fail", "");

        t.setStackTrace(new StackTraceElement[] {new StackTraceElement("io.netty.Foo", "bar", null, 3)});
        assertThat(RemoteErrors.stack(t)).singleElement()
                .satisfies(f -> assertThat(f).containsExactly("io.netty.Foo", 3, "io.netty.Foo.bar", ""));
    }

    private static PyObject exc(String module, String name, Object... args) {
        return new PyObject(module, name, args);
    }

    @Test
    void pythonExceptionsReadAsPythonPrintsThem() {
        assertThat(RemoteErrors.fromPayload("f", new Object[] {exc("exceptions", "KeyError", "k"), List.of()})
                .remoteMessage()).isEqualTo("'k'");
        assertThat(RemoteErrors.fromPayload("f", new Object[] {exc("mod", "KeyError", "k"), List.of()})
                .remoteMessage()).isEqualTo("k");
        assertThat(RemoteErrors.fromPayload("f", new Object[] {exc("builtins", "ValueError"), List.of()})
                .remoteMessage()).isEmpty();
        assertThat(RemoteErrors.fromPayload("f", new Object[] {exc("builtins", "OSError", 2, "gone"), List.of()})
                .remoteMessage()).isEqualTo("(2, 'gone')");
        assertThat(RemoteErrors.fromPayload("f", new Object[] {exc("builtins", "ValueError", 7), List.of()})
                .remoteMessage()).isEqualTo("7");
        PyObject java = exc("exceptions", "ValueError", "bad");
        java.state().put("java_class", "java.lang.IllegalArgumentException");
        assertThat(RemoteErrors.fromPayload("f", new Object[] {java, List.of()}).remoteType())
                .isEqualTo("java.lang.IllegalArgumentException");
    }

    @Test
    void aKeyErrorPassedOnIsSentAsItsKeyAgain() throws Exception {
        // str(KeyError) is the repr of its key: what a caller read as 'k' goes on as the key k, not as "'k'"
        List<String> seen = new ArrayList<>();
        for (Object key : new Object[] {"progress", "it's \"quoted\"\n\u00e9\u2028", 5L}) {
            RemoteException received = RemoteErrors.fromPayload("f",
                    new Object[] {exc("exceptions", "KeyError", key), List.of()});
            Object[] passedOn = RemoteErrors.payload(new ExecutionException(received));
            assertThat(((PyObject) passedOn[0]).args()).containsExactly(key);
            assertThat(RemoteErrors.fromPayload("f", passedOn).remoteMessage()).isEqualTo(received.remoteMessage());
            ByteBuf out = Unpooled.buffer();
            PickleWriter.write(out, passedOn, false);
            seen.add(HexFormat.of().formatHex(ByteBufUtil.getBytes(out)));
            out.release();
        }
        // and a Python peer reads the very KeyError that was raised
        assertThat(Python.run("import sys, pickle\nsys.stdout.reconfigure(encoding='utf-8')\n"
                + "for line in sys.stdin:\n"
                + "    e = pickle.loads(bytes.fromhex(line.strip()))[0]\n"
                + "    print(ascii(e), ascii(str(e)))\n", String.join("\n", seen) + "\n"))
                .containsExactly("KeyError('progress') \"'progress'\"",
                        "KeyError('it\\'s \"quoted\"\\n\\xe9\\u2028') "
                                + "'\\'it\\\\\\'s \"quoted\"\\\\n\\xe9\\\\u2028\\''",
                        "KeyError(5) '5'");
    }

    @Test
    void aRemoteErrorPassedOnKeepsTheFarFramesThenAddsItsOwn() {
        RemoteException received = RemoteErrors.fromPayload("f", new Object[] {exc("exceptions", "ValueError", "v"),
            List.of((Object) new Object[] {"far.py", 3, "far", "raise ValueError('v')"})});
        ExecutionException waited = new ExecutionException(received);
        waited.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("com.example.Middle", "relay", "Middle.java", 12),
            new StackTraceElement("kaa.rpc.internal.dispatch.IncomingCalls", "invoke", "IncomingCalls.java", 1)});
        List<?> stack = (List<?>) RemoteErrors.payload(waited)[1];
        assertThat(stack).hasSize(2);
        assertThat((Object[]) stack.get(0)).containsExactly("far.py", 3, "far", "raise ValueError('v')");
        assertThat((Object[]) stack.get(1)).containsExactly("Middle.java", 12, "com.example.Middle.relay", "");
    }

    @Test
    void whatIsNotAnExceptionIsStillReadAndBounded() {
        RemoteException bare = RemoteErrors.fromPayload("f", "just a string");
        assertThat(bare.remoteType()).isEqualTo("str");
        assertThat(bare.remoteMessage()).isEqualTo("'just a string'");
        assertThat(bare.frames()).isEmpty();
        RemoteException noStack = RemoteErrors.fromPayload("f", new Object[] {exc("m", "E", "x"), "not a list"});
        assertThat(noStack.frames()).isEmpty();
        RemoteException longType = RemoteErrors.fromPayload("f", new Object[] {exc("m".repeat(1000), "E"), List.of()});
        assertThat(longType.remoteType()).hasSizeLessThan(400);
    }

    @Test
    void framesOfPython2AndPython3AreRead() {
        PyObject summary = new PyObject("traceback", "FrameSummary", new Object[0]);
        summary.state().put("filename", "server.py");
        summary.state().put("lineno", 20);
        summary.state().put("name", "fail");
        summary.state().put("_line", "    raise ValueError(msg)\n");
        PyObject older = new PyObject("traceback", "FrameSummary", new Object[0]);
        older.state().put("filename", "old.py");
        older.state().put("lineno", "not a number");
        older.state().put("name", 5);
        older.state().put("line", null);
        List<Object> stack = new ArrayList<>();
        stack.add(new Object[] {"a.py", 1, "main", "call()"});
        stack.add(List.of("b.py", 2, "call"));
        stack.add(new Object[] {"too short"});
        stack.add(42);
        stack.add(summary);
        stack.add(older);
        RemoteException e = RemoteErrors.fromPayload("fail", new Object[] {exc("exceptions", "ValueError", "boom"), stack});
        assertThat(e.frames()).extracting(RemoteException.Frame::file).containsExactly("a.py", "b.py", "server.py",
                "old.py");
        assertThat(e.frames().get(0).source()).isEqualTo("call()");
        assertThat(e.frames().get(1).source()).isEmpty();
        assertThat(e.frames().get(2).source()).isEqualTo("raise ValueError(msg)");
        assertThat(e.frames().get(3).line()).isZero();
        assertThat(e.frames().get(3).function()).isEqualTo("5");
        assertThat(e.getMessage()).startsWith("Exception during RPC call 'fail'; remote traceback follows:\n")
                .endsWith("ValueError: boom");
    }

    @Test
    void longStacksAndMessagesAreCut() {
        List<Object> stack = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            stack.add(new Object[] {"f".repeat(1000), i, "fn", ""});
        }
        RemoteException e = RemoteErrors.fromPayload("f", new Object[] {exc("m", "E", "x".repeat(10_000)), stack});
        assertThat(e.frames()).hasSize(RemoteErrors.MAX_FRAMES + 1);
        assertThat(e.frames().get(0).function()).isEqualTo("(744 outer frames left out)");
        assertThat(e.frames().get(1).line()).isEqualTo(744);
        assertThat(e.frames().get(1).file()).hasSizeLessThan(400).endsWith("more characters)");
        assertThat(e.remoteMessage()).hasSize(10_000);
        assertThat(e.getMessage()).contains("8000 more characters; see remoteMessage()");
    }

    @Test
    void aTracebackOfSharedLongLinesIsShownByItsInnermostFramesOnly() {
        // in a pickle, 256 frames may share one 300-character text each: a few KB that would render as 230,000
        String text = "t".repeat(RemoteErrors.MAX_TEXT);
        List<Object> stack = new ArrayList<>();
        for (int i = 0; i < RemoteErrors.MAX_FRAMES; i++) {
            stack.add(new Object[] {text, i, text, text});
        }
        RemoteException e = RemoteErrors.fromPayload("f", new Object[] {exc("m", "E", "boom"), stack});
        assertThat(e.frames()).hasSize(RemoteErrors.MAX_FRAMES);
        assertThat(e.getMessage()).hasSizeLessThan(10_000)
                .contains(" outer frames left out; see frames())\n")
                .contains("line " + (RemoteErrors.MAX_FRAMES - 1) + ",")
                .doesNotContain("line 0,")
                .endsWith("m.E: boom");
    }

    @Test
    void causesWithoutMessagesAndRemoteCausesGoAsTheirTypes() {
        RemoteException remote = new RemoteException("f", "KeyError", "'k'", List.of());
        PyObject exc = (PyObject) RemoteErrors.payload(new IllegalStateException(null,
                new RuntimeException(null, remote)))[0];
        // no message of its own: the causes make it, the one without a message by its type alone
        assertThat(exc.args()).containsExactly("(caused by java.lang.RuntimeException) (caused by KeyError: 'k')");
        assertThat(exc.name()).isEqualTo("RuntimeError");
    }

    @Test
    void aCauseChainStopsAtItsLimitAndAtACycle() {
        Throwable inner = new RuntimeException("0");
        Throwable t = inner;
        for (int i = 1; i <= 12; i++) {
            t = new RuntimeException(String.valueOf(i), t);
        }
        List<?> causes = (List<?>) ((PyObject) RemoteErrors.payload(t)[0]).state().get(RemoteErrors.JAVA_CAUSES);
        assertThat(causes).hasSize(RemoteErrors.MAX_CAUSES);
        assertThat(((Object[]) causes.get(0))[1]).isEqualTo("11");

        Exception a = new Exception("a");
        Exception b = new Exception("b", a);
        a.initCause(b);
        List<?> cycle = (List<?>) ((PyObject) RemoteErrors.payload(a)[0]).state().get(RemoteErrors.JAVA_CAUSES);
        assertThat(cycle).hasSize(1);
    }

    @Test
    void aWrapperWithoutACauseIsSentAsItself() {
        PyObject exc = (PyObject) RemoteErrors.payload(new ExecutionException("waited", null))[0];
        assertThat(exc.args()).containsExactly("waited");
        assertThat(exc.state().get(RemoteErrors.JAVA_CLASS)).isEqualTo("java.util.concurrent.ExecutionException");
    }

    @Test
    void aRemoteTypeThatIsNoPythonBuiltinGoesOnAsRuntimeError() {
        assertThat(RemoteErrors.pythonType(new RemoteException("f", "mod.Custom", "m", List.of())))
                .isEqualTo("RuntimeError");
        assertThat(RemoteErrors.pythonType(new RemoteException("f", "StopIteration", "m", List.of())))
                .isEqualTo("StopIteration");
    }

    @Test
    void aPayloadThatIsNoPairIsTheExceptionItself() {
        RemoteException e = RemoteErrors.fromPayload("f", new Object[] {"only one"});
        assertThat(e.remoteType()).isEqualTo("tuple");
        assertThat(e.remoteMessage()).isEqualTo("('only one',)");
        assertThat(e.frames()).isEmpty();
    }

    @Test
    void causeEntriesThatAreNoPairsAreLeftOut() {
        PyObject exc = new PyObject("exceptions", "ValueError", new Object[] {"top"});
        exc.state().put(RemoteErrors.JAVA_CAUSES, List.of(List.of("a.B", "first"), "not a pair",
                new Object[] {"c.D"}, new Object[] {"e.F", "last"}));
        RemoteException e = RemoteErrors.fromPayload("f", new Object[] {exc, List.of()});
        assertThat(e.getCause()).isInstanceOf(RemoteException.class);
        RemoteException first = (RemoteException) e.getCause();
        assertThat(first.remoteType()).isEqualTo("a.B");
        assertThat(first.remoteMessage()).isEqualTo("first");
        RemoteException last = (RemoteException) first.getCause();
        assertThat(last.remoteType()).isEqualTo("e.F");
        assertThat(last.getCause()).isNull();
    }

    @Test
    void aKeyErrorsTextIsReadBackAsTheKeyItsReprWasOf() {
        // every str key, written by the repr a caller reads, is read back as itself
        for (String key : new String[] {"", "plain", "it's", "say \"hi\"", "both ' and \"", "tab\tnl\nret\r",
                "back\\slash", "\u0000\u001f\u007f", "\u00e9\u2028\uffff", "\ud83d\ude00", "\udc80 lone"}) {
            assertThat(RemoteErrors.keyOf(Repr.repr(key))).as(Repr.repr(key)).isEqualTo(key);
        }
        assertThat(RemoteErrors.keyOf("5")).isEqualTo(5L);
        assertThat(RemoteErrors.keyOf("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(RemoteErrors.keyOf("9223372036854775808")).isEqualTo(new BigInteger("9223372036854775808"));
        // Python's own spellings of escapes read the same
        assertThat(RemoteErrors.keyOf("'\\x41\\u00e9\\U0001f600\\\\\\''")).isEqualTo("A\u00e9\ud83d\ude00\\'");
    }

    @Test
    void aTextThatIsNoWholeLiteralHasNoKey() {
        for (String text : new String[] {null, "", "'", "x", "'open", "open'", "'a'b'", "'a' + 'b'", "\"mixed'",
                "'ends in \\'", "'\\x4'", "'\\xzz'", "'\\U00110000'", "'\\q'", "'\\u12'", "'\\", "1.5",
                "1" + "0".repeat(300), "--1", "(1, 2)", "'cut...", "'cut' ..."}) {
            assertThat(RemoteErrors.keyOf(text)).as(String.valueOf(text)).isNull();
        }
    }
}
