using System.Text;

namespace CityNode.NanoTwin.Clr;

/// <summary>
/// The portable core prints with System.Console too (NodeLoop's crash line, NodeFiles' config errors):
/// installed once per process, this routes whatever a board's threads print to that board's serial
/// console, and leaves everything else on the host's standard output. A halted chip prints nothing.
/// </summary>
public sealed class BoardConsole : TextWriter
{
    private static readonly object Gate = new();
    private static bool _installed;
    private readonly TextWriter _host;
    private readonly ThreadLocal<StringBuilder> _line = new(() => new StringBuilder());

    private BoardConsole(TextWriter host) => _host = host;

    public override Encoding Encoding => _host.Encoding;

    public static void Install()
    {
        lock (Gate)
        {
            if (!_installed)
            {
                System.Console.SetOut(new BoardConsole(System.Console.Out));
                _installed = true;
            }
        }
    }

    public override void Write(char value)
    {
        var board = TwinBoard.CurrentOrNull;
        if (board is null)
        {
            _host.Write(value);
            return;
        }

        var line = _line.Value!;
        if (value == '\n')
        {
            if (board.Halted == HaltReason.None)
            {
                board.Print(line.ToString().TrimEnd('\r'));
            }

            line.Clear();
        }
        else
        {
            line.Append(value);
        }
    }

    public override void Write(string? value)
    {
        foreach (char c in value ?? string.Empty)
        {
            Write(c);
        }
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write('\n');
    }

    public override void Flush() => _host.Flush();
}
