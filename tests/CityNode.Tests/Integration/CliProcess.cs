using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace CityNode.Tests.Integration;

/// <summary>
/// The <c>citynode</c> command as its own process (the build copies citynode.dll next to the tests),
/// for what an in-process run cannot show: signals, the working directory, several receivers at once.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();

    public CliProcess(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "citynode.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => Append(_out, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_err, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Out => Read(_out);

    public string Err => Read(_err);

    /// <summary>Sends a signal by name (INT, TERM), as Ctrl+C or a service manager would (libc kill(2): no procps needed).</summary>
    public void Signal(string name)
    {
        int signal = name switch { "INT" => 2, "TERM" => 15, _ => throw new ArgumentOutOfRangeException(nameof(name), name, "INT or TERM") };
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIG{name}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Waits for the exit (killing the process after the timeout) and returns its code, or -1 if it had to be killed.</summary>
    public async Task<int> ExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            _process.WaitForExit(); // drains the output readers
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(true);
            return -1;
        }
    }

    /// <summary>Waits until standard error contains the text (the process has come that far).</summary>
    public async Task WaitForErr(string text, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!Err.Contains(text, StringComparison.Ordinal) && !_process.HasExited && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }
    }

    public static async Task<(int Exit, string Out, string Err)> Run(string workingDirectory, params string[] args)
    {
        using var p = new CliProcess(workingDirectory, null, args);
        int exit = await p.ExitAsync(TimeSpan.FromSeconds(60));
        return (exit, p.Out, p.Err);
    }

    private static void Append(StringBuilder b, string? line)
    {
        if (line is not null)
        {
            lock (b)
            {
                b.AppendLine(line);
            }
        }
    }

    private static string Read(StringBuilder b)
    {
        lock (b)
        {
            return b.ToString();
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(true);
        }

        _process.Dispose();
    }
}
