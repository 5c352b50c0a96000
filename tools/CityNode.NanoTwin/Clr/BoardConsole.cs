using System.Text;

namespace CityNode.NanoTwin.Clr;

/// <summary>
/// The portable core prints with System.Console too (NodeLoop's crash line, NodeFiles' config errors):
/// installed over whatever System.Console.Out is when a board is set up (a host that redirects the
/// console later gets it installed again by the next board), this routes what a board's threads print
/// to that board's serial console and leaves everything else where it went. A halted chip prints nothing.
/// </summary>
public sealed class BoardConsole : TextWriter
{
    private static readonly object Gate = new();
    private static TextWriter? _installed; // Console.Out as it reads after SetOut (a synchronized wrapper)
    private readonly TextWriter _host;
    private readonly ThreadLocal<StringBuilder> _line = new(() => new StringBuilder());

    private BoardConsole(TextWriter host) => _host = host;

    public override Encoding Encoding => _host.Encoding;

    public static void Install()
    {
        lock (Gate)
        {
            if (!ReferenceEquals(System.Console.Out, _installed))
            {
                System.Console.SetOut(new BoardConsole(System.Console.Out));
                _installed = System.Console.Out;
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
