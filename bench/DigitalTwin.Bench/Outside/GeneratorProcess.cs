using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace DigitalTwin.Bench.Outside;

/// <summary>The parent's handle on a generator child (<see cref="GeneratorChild"/>): started, publishing, its result.</summary>
public sealed class GeneratorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly IDisposable _cleanup;
    private readonly Task _reading;
    private readonly StringBuilder _errors = new();
    private readonly TaskCompletionSource _publishing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<GeneratorResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GeneratorProcess(Process process)
    {
        _process = process;
        _cleanup = Janitor.Register($"generator (pid {process.Id})", Kill);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_errors)
                {
                    _errors.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
        _reading = Task.Run(ReadAsync);
    }

    /// <summary>Starts the generator and returns once its fleet is connected and publishing.</summary>
    public static async Task<GeneratorProcess> StartAsync(GeneratorSpec spec, TimeSpan timeout, CancellationToken cancel)
    {
        var process = Process.Start(BenchChild.StartInfo(["--generator", spec.ToJson()])) ?? throw new InvalidOperationException("could not start the generator");
        var generator = new GeneratorProcess(process);
        try
        {
            await generator._publishing.Task.WaitAsync(timeout, cancel);
            return generator;
        }
        catch
        {
            await generator.DisposeAsync();
            throw;
        }
    }

    public Task<GeneratorResult> ResultAsync(TimeSpan timeout, CancellationToken cancel) => _result.Task.WaitAsync(timeout, cancel);

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        await _reading;
        _process.Dispose();
        _cleanup.Dispose();
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line == GeneratorChild.PublishingLine)
            {
                _publishing.TrySetResult();
            }
            else if (line.StartsWith(GeneratorChild.ResultPrefix, StringComparison.Ordinal))
            {
                _result.TrySetResult(JsonSerializer.Deserialize<GeneratorResult>(line[GeneratorChild.ResultPrefix.Length..], OutsideJson.Options)!);
            }
        }

        await _process.WaitForExitAsync();
        string errors;
        lock (_errors)
        {
            errors = _errors.ToString();
        }

        // The exception's message line says what went wrong; its stack trace belongs to the generator.
        var firstLine = errors.Split('\n', 2)[0].Trim();
        var failure = new InvalidOperationException($"the generator exited with code {_process.ExitCode} before it was done: {firstLine}");
        _publishing.TrySetException(failure);
        _result.TrySetException(failure);
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
