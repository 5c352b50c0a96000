using System.Diagnostics;
using System.Text;

namespace CityNode.Testing.Servers;

/// <summary>
/// A real mosquitto on a free loopback port with its own config in a temporary directory: by
/// default anonymous and without persistence; tests add password files, ACLs or TLS listeners.
/// </summary>
public sealed class LocalMosquitto : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    /// <param name="extraConfig">Lines appended to the config; <c>{dir}</c> is the server's directory.</param>
    /// <param name="anonymous">Allow clients without credentials.</param>
    /// <param name="listenerConfig">Lines for the main listener itself (e.g. TLS files), right after it.</param>
    public LocalMosquitto(string extraConfig = "", bool anonymous = true, int? port = null, string? directory = null, string listenerConfig = "")
    {
        string binary = ServerBinaries.Find("mosquitto", "mosquitto", "/usr/sbin/mosquitto");
        Directory = directory ?? System.IO.Directory.CreateTempSubdirectory("citynode-mosquitto-").FullName;
        Port = port ?? FreePort.Next();
        string conf = Path.Combine(Directory, "mosquitto.conf");
        File.WriteAllText(conf,
            $"listener {Port} 127.0.0.1\n" +
            listenerConfig +
            $"allow_anonymous {(anonymous ? "true" : "false")}\n" +
            "persistence false\n" +
            // As root mosquitto drops to user 'mosquitto', which cannot read a private temp dir.
            (Environment.UserName == "root" ? "user root\n" : "") +
            "max_queued_messages 1000000\n" +
            "max_inflight_messages 1000\n" +
            "log_type error\nlog_type warning\nlog_type notice\n" +
            extraConfig.Replace("{dir}", Directory) + "\n");
        _process = new Process
        {
            StartInfo = new ProcessStartInfo(binary, $"-c {conf}") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false },
        };
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        FreePort.WaitOpen(Port, TimeSpan.FromSeconds(10), () => Log);
    }

    public int Port { get; }

    public string Directory { get; }

    public string Url => $"mqtt://127.0.0.1:{Port}";

    public string TlsUrl => $"mqtts://127.0.0.1:{Port}";

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    /// <summary>Kills the broker at once (no clean shutdown): a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, true);
        }
        catch (IOException)
        {
        }
    }
}
