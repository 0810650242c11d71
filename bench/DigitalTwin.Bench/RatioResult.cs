namespace DigitalTwin.Bench;

/// <summary>DigitalTwin's max throughput divided by each baseline's, at one QoS; null where either is missing.</summary>
public sealed record RatioResult(int Qos, double? DigitalTwin, double? VsLimit, double? VsMosquitto, double? VsNaive);
