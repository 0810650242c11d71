namespace DigitalTwin.Contract;

/// <summary>
/// Why a message or one of its signals was refused. The values are the <c>reason</c> label of the
/// rejection counters and the dead-letter entries, so they are stable and lower_snake_case.
/// </summary>
public static class RejectReason
{
    public const string PayloadTooLarge = "payload_too_large";
    public const string MalformedJson = "malformed_json";
    public const string InvalidDocument = "invalid_document";
    public const string TooManySignals = "too_many_signals";
    public const string InvalidSignalName = "invalid_signal_name";
    public const string WrongType = "wrong_type";
    public const string OutOfRange = "out_of_range";
    public const string TwinSignalLimit = "twin_signal_limit";
    public const string UnknownTopic = "unknown_topic";
    public const string InvalidVin = "invalid_vin";

    /// <summary>A Kafka record whose key is not the VIN its document names.</summary>
    public const string KeyMismatch = "key_mismatch";

    public const string NotAuthorized = "not_authorized";
    public const string Duplicate = "duplicate";
    public const string UnknownCommand = "unknown_command";
    public const string InvalidTransition = "invalid_transition";
    public const string Internal = "internal_error";

    /// <summary>The message was fine but something it must reach (Kafka, in durable mode) did not take it: send it again.</summary>
    public const string Unavailable = "unavailable";
}
