namespace DigitalTwin.Views;

/// <param name="FixAgeSeconds">How old the fix was when the incident occurred.</param>
public sealed record PositionDto(double Latitude, double Longitude, double? Heading, double FixAgeSeconds);
