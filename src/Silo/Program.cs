using DigitalTwin.Silo;
using Microsoft.Extensions.Options;

if (args is ["token", .. var tokenArgs])
{
    return TokenCommand.Run(tokenArgs);
}

try
{
    await SiloHost.Build(args).RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    // A bad setting gets one line that names the key, not a stack trace.
    Console.Error.WriteLine($"Configuration error: {string.Join("; ", ex.Failures)}");
    return 1;
}
catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
{
    // A value of the wrong type (Mqtt:Port=abc, Mqtt:Mode=Other): the binder's message names the key and the value.
    Console.Error.WriteLine($"Configuration error: {ex.Message}");
    return 1;
}
