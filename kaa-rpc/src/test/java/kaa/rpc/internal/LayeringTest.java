package kaa.rpc.internal;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The internals follow the data path, in one direction (docs/ARCHITECTURE.md
 * draws it): a layer uses the layers below it and never one above. Each
 * package's {@code package-info.java} says what it owns and what it may use;
 * these rules hold every import to it.
 */
@AnalyzeClasses(packages = "kaa.rpc", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    private static final String API = "kaa.rpc";

    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("api").definedBy(API)
            .layer("root").definedBy("kaa.rpc.internal")
            .layer("net").definedBy("kaa.rpc.internal.net..")
            .layer("handshake").definedBy("kaa.rpc.internal.handshake..")
            .layer("session").definedBy("kaa.rpc.internal.session..")
            .layer("call").definedBy("kaa.rpc.internal.call..")
            .layer("dispatch").definedBy("kaa.rpc.internal.dispatch..")
            .layer("pickle").definedBy("kaa.rpc.internal.pickle..")
            .layer("convert").definedBy("kaa.rpc.internal.convert..")
            .layer("wire").definedBy("kaa.rpc.internal.wire..")
            .layer("frame").definedBy("kaa.rpc.internal.frame..")
            .layer("value").definedBy("kaa.rpc.internal.value..")
            .layer("exec").definedBy("kaa.rpc.internal.exec..")
            .layer("log").definedBy("kaa.rpc.internal.log..")
            .layer("intercept").definedBy("kaa.rpc.internal.intercept..")
            // every layer may use the public package's data types (see internalsUseOnlyTheApisData)
            .whereLayer("log").mayOnlyAccessLayers("api")
            .whereLayer("value").mayOnlyAccessLayers("api")
            .whereLayer("intercept").mayOnlyAccessLayers("api")
            .whereLayer("exec").mayOnlyAccessLayers("log", "api")
            .whereLayer("frame").mayOnlyAccessLayers("exec", "log", "api")
            .whereLayer("pickle").mayOnlyAccessLayers("value", "log", "api")
            .whereLayer("convert").mayOnlyAccessLayers("value", "api")
            .whereLayer("wire").mayOnlyAccessLayers("frame", "pickle", "value", "log", "api")
            .whereLayer("handshake").mayOnlyAccessLayers("frame", "exec", "log", "api")
            .whereLayer("call").mayOnlyAccessLayers("value", "pickle", "convert", "frame", "intercept", "exec", "log",
                    "api")
            .whereLayer("dispatch").mayOnlyAccessLayers("value", "pickle", "convert", "frame", "intercept", "exec",
                    "log", "api")
            // the session tells a handshake's presumed refusal (a retrying client tries again) by its type
            .whereLayer("session").mayOnlyAccessLayers("call", "dispatch", "handshake", "value", "pickle", "frame",
                    "exec", "log", "api")
            .whereLayer("net").mayOnlyAccessLayers("session", "call", "dispatch", "handshake", "wire", "frame", "exec",
                    "log", "api")
            .whereLayer("root").mayOnlyAccessLayers("net", "session", "call", "dispatch", "handshake", "wire", "pickle",
                    "convert", "frame", "value", "exec", "log", "api");

    /** No cycle between the internal packages, whatever the layers above allow. */
    @ArchTest
    static final ArchRule noCycles = slices().matching("kaa.rpc.internal.(*)..").should().beFreeOfCycles();

    /** The engine (calls, dispatch, sessions) and the value code see frames and buffers, never a socket. */
    @ArchTest
    static final ArchRule engineWithoutChannels = noClasses().that().resideInAnyPackage(
                    "kaa.rpc.internal.session..", "kaa.rpc.internal.call..", "kaa.rpc.internal.dispatch..",
                    "kaa.rpc.internal.pickle..", "kaa.rpc.internal.convert..", "kaa.rpc.internal.value..")
            .should().dependOnClassesThat().resideInAPackage("io.netty.channel..");

    /** The value model and the conversion are plain Java: no Netty (its buffers stay in the pickle package). */
    @ArchTest
    static final ArchRule valuesArePlainJava = noClasses().that().resideInAnyPackage(
                    "kaa.rpc.internal.value..", "kaa.rpc.internal.convert..")
            .should().dependOnClassesThat().resideInAPackage("io.netty..");

    /**
     * Internals use the public package only for what crosses it as data:
     * exceptions, annotations, value types, and the channel handed to a
     * method that asks for its caller. Never a server, client or builder.
     */
    @ArchTest
    static final ArchRule internalsUseOnlyTheApisData = noClasses().that().resideInAPackage("kaa.rpc.internal..")
            .should().dependOnClassesThat().haveFullyQualifiedName(API + ".Server")
            .orShould().dependOnClassesThat().haveFullyQualifiedName(API + ".Client")
            .orShould().dependOnClassesThat().haveFullyQualifiedName(API + ".PeerBuilder")
            .orShould().dependOnClassesThat().haveFullyQualifiedName(API + ".Signal")
            .orShould().dependOnClassesThat().haveFullyQualifiedName(API + ".ServiceProxy");
}
