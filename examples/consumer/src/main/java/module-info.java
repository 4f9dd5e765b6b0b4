/** A small application of kaa-rpc: a named module, as a desktop application that jlink links is. */
module example.consumer {
    requires kaa.rpc;

    // kaa-rpc's proxies and conversions reflect on the interface and the records that travel
    opens example.consumer to kaa.rpc;
}
