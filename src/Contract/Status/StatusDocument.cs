namespace DigitalTwin.Contract.Status;

/// <summary>The car's <c>status</c> document, <c>{"online": true|false}</c>, also its Last Will.</summary>
public readonly record struct StatusDocument(bool Online)
{
    /// <summary>The document as a car sends it.</summary>
    public byte[] ToPayload() => Online ? """{"online":true}"""u8.ToArray() : """{"online":false}"""u8.ToArray();
}
