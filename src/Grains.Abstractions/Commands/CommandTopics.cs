namespace DigitalTwin.Grains.Abstractions.Commands;

public static class CommandTopics
{
    public static string For(string vin) => $"vehicles/{vin}/commands";
}
