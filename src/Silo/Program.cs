using DigitalTwin.Silo;
using Microsoft.Extensions.Options;

if (args is ["token", .. var tokenArgs])
{
    return TokenCommand.Run(tokenArgs);
}

if (args is ["certs", .. var certsArgs])
{
    return CertsCommand.Run(certsArgs);
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
catch (InvalidOperationException ex) when (ex.InnerException is FormatException or ArgumentException or NotSupportedException)
{
    // The configuration binder could not convert a value (Mqtt:Port=abc, Mqtt:Mode=Other); its message names the key.
    Console.Error.WriteLine($"Configuration error: {ex.Message}");
    return 1;
}
