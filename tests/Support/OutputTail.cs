namespace DigitalTwin.Testing;

/// <summary>The newest lines a child process wrote, kept for failure messages; safe to add to from its output threads.</summary>
public sealed class OutputTail(int capacity)
{
    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    public void Add(string line)
    {
        lock (_gate)
        {
            _lines.Enqueue(line);
            while (_lines.Count > capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    public string Last(int lines)
    {
        lock (_gate)
        {
            return string.Join(Environment.NewLine, _lines.Skip(Math.Max(0, _lines.Count - lines)));
        }
    }
}
