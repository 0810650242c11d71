namespace DigitalTwin.Contract.Status;

/// <summary>The car's <c>status</c> document, <c>{"online": true|false}</c>, also its Last Will.</summary>
public readonly record struct StatusDocument(bool Online)
{
    private static readonly byte[] OnlineBytes = """{"online":true}"""u8.ToArray();
    private static readonly byte[] OfflineBytes = """{"online":false}"""u8.ToArray();

    /// <summary>The document as a car sends it. Shared bytes: do not change them.</summary>
    public byte[] ToPayload() => Online ? OnlineBytes : OfflineBytes;
}
