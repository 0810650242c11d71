namespace DigitalTwin.Contract;

/// <summary>
/// A message from the cloud to one car, as a domain record: grains hand it to the car's link, and the gateway that
/// holds the car's session encodes it with <see cref="Topic"/> and <see cref="ToPayload"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("dt.CarMessage")]
public abstract record CarMessage
{
    /// <summary>The car it is for.</summary>
    public abstract string Vin { get; init; }

    /// <summary>The cloud-to-car topic of the contract this message goes out on.</summary>
    public abstract string Topic { get; }

    /// <summary>The document, UTF-8 JSON.</summary>
    public abstract byte[] ToPayload();
}
