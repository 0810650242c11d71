using DigitalTwin.Gateway.Mqtt.Tls;
using Microsoft.Extensions.Time.Testing;

namespace DigitalTwin.Gateway.Tests.Mqtt.Connections;

public sealed class ReloadingFilesTests : IDisposable
{
    private readonly string _path = Path.GetTempFileName();
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_changed_file_is_loaded_again_at_the_next_check_and_a_broken_one_keeps_the_last_good_value()
    {
        File.WriteAllText(_path, "one");
        var failures = 0;
        var files = new ReloadingFiles<string>([_path], p => File.ReadAllText(p[0]) is var text && text != "broken" ? text : throw new FormatException(), _clock, _ => failures++);
        Assert.Equal("one", files.Current);

        File.WriteAllText(_path, "two");
        File.SetLastWriteTimeUtc(_path, DateTime.UtcNow.AddSeconds(5));
        Assert.Equal("one", files.Current); // not checked again within the second
        _clock.Advance(ReloadingFiles<string>.CheckInterval);
        Assert.Equal("two", files.Current);

        File.WriteAllText(_path, "broken");
        File.SetLastWriteTimeUtc(_path, DateTime.UtcNow.AddSeconds(10));
        _clock.Advance(ReloadingFiles<string>.CheckInterval);
        Assert.Equal("two", files.Current);
        Assert.Equal(1, failures);
    }

    public void Dispose() => File.Delete(_path);
}
