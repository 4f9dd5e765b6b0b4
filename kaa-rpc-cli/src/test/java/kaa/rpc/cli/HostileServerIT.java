package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import kaa.rpc.WireFrames;
import kaa.rpc.internal.handshake.Handshake;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kaarpc call} against a server that answers with what no honest peer
 * sends: every call ends promptly with its own exit status and a message that
 * says what went wrong, once.
 */
class HostileServerIT {

    @TempDir
    Path dir;

    /** Accepts one client, passes the handshake, answers its first call with {@code header} and {@code payload}. */
    private static CompletableFuture<Void> answerOnce(ServerSocket listening, String type, int declaredLength,
            byte[] payload) {
        return CompletableFuture.runAsync(() -> {
            try (Socket s = listening.accept()) {
                s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(Kaarpc.WAIT_SECONDS));
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                out.write(WireFrames.serverChallenge(Handshake.random()));
                out.write(WireFrames.serverAnswer(WireFrames.read(in).payload(), "s"));
                out.flush();
                int seq = WireFrames.read(in).seq();
                if (type == null) {
                    return; // the connection is lost with the call in flight
                }
                send(out, seq, type, declaredLength, payload);
                in.read(); // until the client goes
            } catch (IOException e) {
                // the client went
            }
        });
    }

    private static void send(OutputStream out, int seq, String type, int declaredLength, byte[] payload)
            throws IOException {
        out.write(declaredLength == -1 ? WireFrames.frame(seq, type, payload)
                : WireFrames.frame(seq, type, declaredLength, payload));
        out.flush();
    }

    private static Kaarpc.Result callAnswered(String type, int declaredLength, byte[] payload) throws Exception {
        return callAnswered(type, declaredLength, payload, Map.of("KAARPC_SECRET", "s"));
    }

    private static Kaarpc.Result callAnswered(String type, int declaredLength, byte[] payload, Map<String, String> env)
            throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> server = answerOnce(fake, type, declaredLength, payload);
            Kaarpc.Result r = Kaarpc.run(env, "call",
                    "127.0.0.1:" + fake.getLocalPort(), "echo", "x", "--timeout", "20s");
            server.get(Kaarpc.WAIT_SECONDS, TimeUnit.SECONDS);
            return r;
        }
    }

    /** A tuple nested 60 levels, each holding the level below twice by DUP: 2^60 paths in 200 bytes. */
    private static byte[] sharingBomb() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(new byte[] {(byte) 0x80, 2, 'K', 7});
        for (int i = 0; i < 60; i++) {
            p.writeBytes(new byte[] {'2', (byte) 0x86});
        }
        p.write('.');
        return p.toByteArray();
    }

    @Test
    void aConnectionLostMidCallHasItsOwnStatus() throws Exception {
        Kaarpc.Result r = callAnswered(null, 0, new byte[0]);
        assertThat(r.status()).as(r.err()).isEqualTo(ExitCodes.CONNECTION_LOST);
        assertThat(r.err()).contains("call 'echo' failed: connection closed");
    }

    @Test
    void aResultThatSharesItsPartsBeyondPrintingIsRefused() throws Exception {
        Kaarpc.Result r = callAnswered("RETN", -1, sharingBomb());
        assertThat(r.status()).as(r.err()).isEqualTo(ExitCodes.BAD_ANSWER);
        assertThat(r.err()).contains("too large to print as JSON");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aDictWhoseKeysTogetherPassThePrintingLimitIsRefused() throws Exception {
        // 2,000 keys (i, s) sharing one 100 KB string: a 120 KB answer whose keys are 200 M characters of JSON
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(new byte[] {(byte) 0x80, 2, '}', '('});
        for (int i = 0; i < 2000; i++) {
            p.writeBytes(new byte[] {'M', (byte) i, (byte) (i >> 8)});
            if (i == 0) {
                str(p, "k".repeat(100_000));
                p.writeBytes(new byte[] {'q', 0});
            } else {
                p.writeBytes(new byte[] {'h', 0});
            }
            p.writeBytes(new byte[] {(byte) 0x86, 'K', 0});
        }
        p.writeBytes(new byte[] {'u', '.'});
        // in a small heap, where holding every key's text first ran out of memory (and exited 1, "the peer raised")
        Kaarpc.Result r = callAnswered("RETN", -1, p.toByteArray(),
                Map.of("KAARPC_SECRET", "s", "JAVA_TOOL_OPTIONS", "-Xmx256m"));
        assertThat(r.status()).as(r.err()).isEqualTo(ExitCodes.BAD_ANSWER);
        assertThat(r.err()).contains("too large to print as JSON");
    }

    @Test
    void anAnswerThatCannotBeReadHasItsOwnStatus() throws Exception {
        Kaarpc.Result r = callAnswered("RETN", -1, new byte[] {(byte) 0x80, 2, '}', ']', 'N', 's', '.'});
        assertThat(r.status()).as(r.err()).isEqualTo(ExitCodes.BAD_ANSWER);
        assertThat(r.err()).contains("answering 'echo'").contains("unhashable type: 'list'");
    }

    @Test
    void aTupleHoldingNoneIsPrinted() throws Exception {
        Kaarpc.Result r = callAnswered("RETN", -1, new byte[] {(byte) 0x80, 2, 'N', 'K', 1, (byte) 0x86, '.'});
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("[null, 1]");
    }

    @Test
    void aFrameOverTheLimitIsReportedOnce() throws Exception {
        Kaarpc.Result r = callAnswered("RETN", 0xfffffff0, new byte[0]);
        assertThat(r.status()).as(r.err()).isEqualTo(ExitCodes.BAD_ANSWER);
        assertThat(r.err()).contains("call 'echo' failed").contains("over the limit");
        assertThat(r.err().split("call 'echo' failed", -1)).hasSize(2);
    }

    /** BINUNICODE. */
    private static void str(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.writeBytes(new byte[] {'X', (byte) b.length, (byte) (b.length >> 8), (byte) (b.length >> 16), 0});
        p.writeBytes(b);
    }

    /** Escapes that set a window title, clear the screen, return the carriage, and reverse the text. */
    private static final String HOSTILE = "\u001b]0;owned\u0007\u001b[2J\r\nkaarpc: call succeeded\u009b1m\u202etxt";

    private static void assertHarmless(String printed) {
        for (char c : new char[] {0x1b, 0x07, '\r', 0x9b, 0x202e}) {
            assertThat(printed.indexOf(c)).as("U+%04X printed as is", (int) c).isEqualTo(-1);
        }
    }

    @Test
    void aRemoteExceptionCannotWriteEscapesToTheTerminal() throws Exception {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(new byte[] {(byte) 0x80, 2});
        p.writeBytes("cexceptions\nValueError\n".getBytes(StandardCharsets.ISO_8859_1));
        str(p, HOSTILE);
        p.writeBytes(new byte[] {(byte) 0x85, 'R', ']', (byte) 0x86, '.'});
        Kaarpc.Result r = callAnswered("EXCP", -1, p.toByteArray());
        assertThat(r.status()).as(r.err()).isEqualTo(ExitCodes.REMOTE_EXCEPTION);
        assertHarmless(r.err());
        assertThat(r.err()).contains("\\x1b]0;owned\\x07").contains("\\u202e");
    }

    @Test
    void aResultCannotWriteEscapesToTheTerminal() throws Exception {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(new byte[] {(byte) 0x80, 2});
        str(p, HOSTILE);
        p.write('.');
        Kaarpc.Result r = callAnswered("RETN", -1, p.toByteArray());
        assertThat(r.status()).as(r.err()).isZero();
        assertHarmless(r.out());
        assertThat(r.out()).contains("\\u001b]0;owned\\u0007").contains("\\u009b").contains("\\u202e");
        // still the same string to a JSON reader
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readValue(r.out(), String.class)).isEqualTo(HOSTILE);
    }

    @Test
    void kaasSocketDirectoryMadeByAnotherUserIsNotUsed() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "only root can give a directory to another user");
        // another user made kaa's directory for us first, with the right mode, to take our sockets
        Path squatted = Files.createDirectory(dir.resolve("kaa-0"),
                PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
        Files.setAttribute(squatted, "unix:uid", 54321);
        Kaarpc.Result r = Kaarpc.runToEnd(Kaarpc.command("serve", "media.sock", "--secret", "s"),
                Map.of("TMPDIR", dir.toString()));
        assertThat(r.status()).as(r.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("belongs to uid 54321, not to us").contains(squatted.toString());
        assertThat(squatted.resolve("media.sock")).doesNotExist();
    }

    @Test
    void aServerOpenToAnyoneIsAWarningNotASilence() throws Exception {
        try (Kaarpc.Background open = new Kaarpc.Background(Kaarpc.command("serve", "0"));
                Kaarpc.Background local = new Kaarpc.Background(Kaarpc.command("serve", "127.0.0.1:0"))) {
            assertThat(open.readLine()).startsWith("READY ");
            assertThat(local.readLine()).startsWith("READY ");
            assertThat(open.stderr()).contains("empty secret and listens beyond this host");
            assertThat(local.stderr()).doesNotContain("empty secret");
        }
    }

    @Test
    void aBarePortIsTcpForCallToo() throws Exception {
        try (Kaarpc.Background server = new Kaarpc.Background(Kaarpc.command("serve", "127.0.0.1:0"))) {
            String ready = server.readLine();
            assertThat(ready).startsWith("READY ");
            String port = ready.substring(ready.lastIndexOf(':') + 1).trim();
            Kaarpc.Result r = Kaarpc.run("call", port, "whoami");
            assertThat(r.status()).isZero();
            assertThat(r.out()).contains("server");
        }
        Kaarpc.Result name = Kaarpc.run("call", "no-such-kaa-socket", "whoami");
        assertThat(name.status()).isEqualTo(ExitCodes.CONNECT);
        assertThat(name.err()).contains("a name without ':' is a Unix socket in kaa's directory");
    }

    @Test
    void textIsUtf8WhateverTheLocale() throws Exception {
        try (Kaarpc.Background server = new Kaarpc.Background(Kaarpc.command("serve", "127.0.0.1:0"))) {
            String ready = server.readLine();
            assertThat(ready).startsWith("READY ");
            String address = ready.substring(6).trim();
            Kaarpc.Result r = Kaarpc.run(Map.of("LC_ALL", "C", "LANG", "C"), "call", address, "echo",
                    "\"h\u00e9llo \u2603 \ud83d\ude00\"");
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out().trim()).isEqualTo("\"h\u00e9llo \u2603 \ud83d\ude00\"");
        }
    }

    @Test
    void anArgumentOverTheLimitsIsAnErrorNotAString() throws Exception {
        Kaarpc.Result digits = Kaarpc.run("call", "127.0.0.1:1", "echo", "9".repeat(5000));
        assertThat(digits.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(digits.err()).contains("over the limits (at most 4300 digits");
        Kaarpc.Result deep = Kaarpc.run("call", "127.0.0.1:1", "echo", "[".repeat(600) + "]".repeat(600));
        assertThat(deep.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(deep.err()).contains("512 levels of nesting");
        Kaarpc.Result base64 = Kaarpc.run("call", "127.0.0.1:1", "echo", "{\"$bytes\": \"!!\"}");
        assertThat(base64.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(base64.err()).contains("wants base64").doesNotContain("\tat ");
    }

    @Test
    void aWrongSecretOverAUnixSocketNamesTheSocket() throws Exception {
        String socket = dir.resolve("wrong.sock").toString();
        try (Kaarpc.Background server = new Kaarpc.Background(Kaarpc.command("serve", socket, "--secret", "s"))) {
            assertThat(server.readLine()).startsWith("READY ");
            Kaarpc.Result r = Kaarpc.run(Map.of("KAARPC_SECRET", "not-s"), "call", socket, "echo", "x");
            assertThat(r.status()).as(r.err()).isEqualTo(ExitCodes.CONNECT);
            assertThat(r.err()).contains(socket).doesNotContain("local peer");
        }
    }
}
