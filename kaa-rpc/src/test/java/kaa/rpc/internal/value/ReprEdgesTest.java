package kaa.rpc.internal.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import kaa.rpc.internal.pickle.PickleReader;
import org.junit.jupiter.api.Test;

/** Repr at its edges: a peer's object whose fields are shared graphs, float ties, instants past any calendar. */
class ReprEdgesTest {

    @Test
    void aFrameSummaryWhoseFilenameIsASharedListCostsNoMoreThanItsLimit() throws Exception {
        // python3: x=[7]; for i in range(26): x=[x,x]; fs=traceback.FrameSummary('f',1,'n',lookup_line=False);
        // fs.filename=x; pickle.dumps(fs,2) -- 2^26 paths in 300 bytes, accepted by GraphCheck (sharing is kept)
        String hex = "80026374726163656261636b0a4672616d6553756d6d6172790a7100298171014e7d710228580800000066696c656e616d65" +
                "71035d7104285d7105285d7106285d7107285d7108285d7109285d710a285d710b285d710c285d710d285d710e285d710f28" +
                "5d7110285d7111285d7112285d7113285d7114285d7115285d7116285d7117285d7118285d7119285d711a285d711b285d71" +
                "1c285d711d285d711e4b0761681e65681d65681c65681b65681a656819656818656817656816656815656814656813656812" +
                "65681165681065680f65680e65680d65680c65680b65680a6568096568086568076568066568056558060000006c696e656e" +
                "6f711f4b01580a000000656e645f6c696e656e6f71204e5805000000636f6c6e6f71214e5809000000656e645f636f6c6e6f" +
                "71224e58040000006e616d65712358010000006e712458050000005f6c696e6571254e58060000006c6f63616c7371264e75" +
                "867127622e";
        Object fs = PickleReader.load(Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex)));
        assertThat(fs).isInstanceOf(PyObject.class);
        // the field is walked as far as 200 characters show, never by its own toString (all 2^26 paths)
        String out = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> Repr.repr(fs, 200));
        assertThat(out).hasSizeLessThanOrEqualTo(200).startsWith("<FrameSummary file [[[[[[[").endsWith("...");
    }

    @Test
    void aTieBetweenTwoShortestRoundingsGoesToTheEvenDigitAsPythonsDoes() {
        // python3 -c 'print(repr(2**50 + 0.75), repr(2**49 + 0.625), repr(948708954932982.75))'
        assertThat(Repr.floatRepr(0x1p50 + 0.75)).isEqualTo("1125899906842624.8");
        assertThat(Repr.floatRepr(0x1p49 + 0.625)).isEqualTo("562949953421312.6");
        assertThat(Repr.floatRepr(0x1.af6c4220837b6p+49)).isEqualTo("948708954932982.8");
    }

    @Test
    void anInstantBeyondLocalDateTimeIsRenderedNotThrown() {
        assertThat(Repr.repr(Instant.MAX)).isEqualTo(Instant.MAX.toString());
    }
}
