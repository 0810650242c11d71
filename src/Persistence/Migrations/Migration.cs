namespace DigitalTwin.Persistence.Migrations;

/// <summary>One numbered schema change; applied once, in order, inside its own transaction.</summary>
/// <param name="Checksum">SHA-256 of the script, to notice a migration edited after it was applied somewhere.</param>
public sealed record Migration(int Version, string Name, string Sql, string Checksum);
