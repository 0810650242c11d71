using System.Text.Json;
using System.Text.Json.Serialization;

namespace DigitalTwin.Bench;

public static class ReportWriter
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private static readonly JsonSerializerOptions OneLine = new(Json) { WriteIndented = false };

    public static async Task WriteAsync(BenchReport report, string path, CancellationToken cancel)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, report, Json, cancel);
    }

    public static string Compact<T>(T value) => JsonSerializer.Serialize(value, OneLine);
}
