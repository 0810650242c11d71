namespace DigitalTwin.Gateway.Mqtt.External;

/// <summary>The checks of <c>Mqtt:External:*</c>, each failure naming its key; run when <c>Mqtt:Mode</c> is External.</summary>
public static class MqttExternalOptionsValidator
{
    /// <summary>The longest session expiry MQTT 5 can say (0xFFFFFFFF means "never expires", which is not wanted here).</summary>
    private static readonly TimeSpan MaxSessionExpiry = TimeSpan.FromSeconds(uint.MaxValue - 1);

    public static string? Validate(MqttExternalOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            return "Mqtt:External:Host must name the broker when Mqtt:Mode is External";
        }

        if (options.Port is < 1 or > 65535)
        {
            return $"Mqtt:External:Port must be between 1 and 65535, not {options.Port}";
        }

        if (string.IsNullOrWhiteSpace(options.Group) || options.Group.AsSpan().IndexOfAny("/+#") >= 0)
        {
            return $"Mqtt:External:Group must be a non-empty name without '/', '+' or '#', not '{options.Group}'";
        }

        var clientId = ExternalClientId.Of(options, 0);
        if (clientId.Length > 128 || clientId.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            return $"Mqtt:External:ClientIdPrefix and Mqtt:External:InstanceName make the client id '{clientId}': it must be at most 128 characters without spaces or control characters";
        }

        if (!string.IsNullOrEmpty(options.Password) && string.IsNullOrEmpty(options.Username))
        {
            return "Mqtt:External:Password is set without Mqtt:External:Username";
        }

        if (options.SessionExpiry < TimeSpan.FromSeconds(1) || options.SessionExpiry > MaxSessionExpiry)
        {
            return $"Mqtt:External:SessionExpiry must be at least 00:00:01 (a session that ends with the connection loses what the broker holds for a restarting silo), not {options.SessionExpiry}";
        }

        if (options.ReceiveMaximum is < 1 or > 65535)
        {
            return $"Mqtt:External:ReceiveMaximum must be between 1 and 65535, not {options.ReceiveMaximum}";
        }

        if (options.Concurrency is < 1 or > 4096)
        {
            return $"Mqtt:External:Concurrency must be between 1 and 4096, not {options.Concurrency}";
        }

        if (options.RetryFor < TimeSpan.Zero || options.RetryFor > TimeSpan.FromHours(1))
        {
            return $"Mqtt:External:RetryFor must be between 00:00:00 and 01:00:00, not {options.RetryFor}";
        }

        if (options.KeepAlive < TimeSpan.FromSeconds(1) || options.KeepAlive > TimeSpan.FromSeconds(ushort.MaxValue))
        {
            return $"Mqtt:External:KeepAlive must be between 00:00:01 and 18:12:15, not {options.KeepAlive}";
        }

        if (options.ReconnectDelay < TimeSpan.FromMilliseconds(10) || options.MaxReconnectDelay < options.ReconnectDelay)
        {
            return $"Mqtt:External:ReconnectDelay must be at least 10 ms and at most Mqtt:External:MaxReconnectDelay, not {options.ReconnectDelay} (max {options.MaxReconnectDelay})";
        }

        return ValidateTls(options.Tls);
    }

    private static string? ValidateTls(MqttExternalTlsOptions tls)
    {
        var anyPath = !string.IsNullOrWhiteSpace(tls.CaPath) || !string.IsNullOrWhiteSpace(tls.CertificatePath) || !string.IsNullOrWhiteSpace(tls.KeyPath);
        if (!tls.Enabled)
        {
            return anyPath ? "Mqtt:External:Tls:Enabled must be true for the TLS files given (Mqtt:External:Tls:CaPath, CertificatePath, KeyPath)" : null;
        }

        if (string.IsNullOrWhiteSpace(tls.CertificatePath) != string.IsNullOrWhiteSpace(tls.KeyPath))
        {
            return "Mqtt:External:Tls:CertificatePath and Mqtt:External:Tls:KeyPath go together: a client certificate needs its key";
        }

        foreach (var (key, path) in new[] { ("Mqtt:External:Tls:CaPath", tls.CaPath), ("Mqtt:External:Tls:CertificatePath", tls.CertificatePath), ("Mqtt:External:Tls:KeyPath", tls.KeyPath) })
        {
            if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
            {
                return $"{key}: no file at '{path}'";
            }
        }

        return null;
    }
}
