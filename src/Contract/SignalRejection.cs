namespace DigitalTwin.Contract;

/// <summary>One signal of an otherwise valid document that was not accepted.</summary>
public readonly record struct SignalRejection(string Signal, string Reason, string Detail);
