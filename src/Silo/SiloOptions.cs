using System.ComponentModel.DataAnnotations;

namespace DigitalTwin.Silo;

/// <summary>The <c>Orleans</c> section: how this silo finds the others.</summary>
public sealed class SiloOptions
{
    public const string SectionName = "Orleans";

    /// <summary><c>Localhost</c>: a single silo on this machine (the embedded default).</summary>
    [AllowedValues("Localhost", ErrorMessage = "Orleans:Clustering must be Localhost in this version")]
    public string Clustering { get; set; } = "Localhost";

    [Range(1, 65535, ErrorMessage = "Orleans:SiloPort must be between 1 and 65535")]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535, ErrorMessage = "Orleans:GatewayPort must be between 1 and 65535")]
    public int GatewayPort { get; set; } = 30000;

    public string ClusterId { get; set; } = "digitaltwin";

    public string ServiceId { get; set; } = "digitaltwin";
}
