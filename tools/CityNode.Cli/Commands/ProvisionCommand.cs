using System.CommandLine;
using CityNode.Config;
using CityNode.Host.Ota;
using CityNode.Host.Provisioning;
using CityNode.Node;
using CityNode.Host.Reports;
using CityNode.Telemetry;

namespace CityNode.Cli.Commands;

/// <summary><c>citynode provision</c>: a node's config, credentials, broker lines and flashing commands.</summary>
internal static class ProvisionCommand
{
    /// <summary>Environment variable holding the Wi-Fi password (kept off the command line, ps and the shell history).</summary>
    public const string WifiPasswordVariable = "CITYNODE_WIFI_PASSWORD";

    public static Command Create()
    {
        var board = new Option<string>("--board") { Description = "board profile id (boards/*.board) or file", Required = true };
        var nodeId = new Option<string>("--node-id") { Description = $"the node's number, {ConfigKeyTable.NodeIdRange} (its MQTT topic is {Topics.For("ID", Topics.TelemetryLeaf)})", Required = true };
        var ssid = new Option<string?>("--wifi-ssid") { Description = "Wi-Fi network name" };
        var wifiPasswordFile = new Option<string?>("--wifi-password-file") { Description = $"file whose first line is the Wi-Fi password (WPA2: 8 to 63 characters); or set {WifiPasswordVariable}" };
        var wifiPassword = new Option<string?>("--wifi-password") { Description = $"Wi-Fi password on the command line (visible in ps and the shell history: prefer --wifi-password-file or {WifiPasswordVariable})" };
        var broker = new Option<string?>("--broker") { Description = "broker URL the node publishes to, e.g. mqtts://broker.city.example:8883" };
        var config = new Option<string?>("--config") { Description = "a node config to start from (sample, publish, sensors, calibration, ...)" };
        var ca = new Option<string?>("--ca") { Description = "CA certificate (PEM) of the broker, deployed beside the config; the node trusts only it" };
        var port = new Option<string>("--serial-port") { Description = "serial port of the node in the nanoff commands", DefaultValueFactory = _ => "COM3" };
        var bench = new Option<bool>("--bench") { Description = "a bench-check config: live readings on the serial console, nothing published" };
        var output = new Option<string?>("--out") { Description = "write the files to this directory (default: print them)" };
        var force = new Option<bool>("--force") { Description = "with --out: replace another node's files in that directory (its credentials are lost)" };
        var otaKeys = new Option<string>("--ota-keys") { Description = "with --out: the backend's folder of OTA keys (ID.key, read by `citynode ota --keys`); a node's key already there is kept", DefaultValueFactory = _ => OtaKeyStore.DefaultFolder };
        var command = new Command("provision", "Make a node's config, MQTT credentials, mosquitto password/ACL lines and nanoff commands")
        {
            board, nodeId, ssid, wifiPasswordFile, wifiPassword, broker, config, ca, port, bench, output, force, otaKeys,
        };
        command.SetAction(parse =>
        {
            NodeProvisioning p;
            string? caPath = parse.GetValue(ca);
            string? dir = parse.GetValue(output);
            string keyFolder = parse.GetValue(otaKeys)!;
            byte[]? keptKey = null;
            var notes = new List<string>();
            try
            {
                string idText = parse.GetValue(nodeId)!;
                if (ConfigKeyTable.ParseNodeId(idText) is not uint id)
                {
                    throw new FormatException($"--node-id '{idText}': a number from {ConfigKeyTable.NodeIdRange}");
                }

                string? configPath = parse.GetValue(config);
                if (configPath is not null && !File.Exists(configPath))
                {
                    throw new FormatException($"--config {configPath}: no such file");
                }

                if (caPath is not null && !File.Exists(caPath))
                {
                    throw new FormatException($"--ca {caPath}: no such file (give the broker's CA certificate, PEM)");
                }

                if (caPath is not null && !File.ReadAllText(caPath).Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
                {
                    throw new FormatException($"--ca {caPath}: not a PEM certificate (no -----BEGIN CERTIFICATE----- line); give the broker's CA certificate");
                }

                string serialPort = parse.GetValue(port)!;
                if (serialPort.Length == 0 || !serialPort.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-'))
                {
                    throw new FormatException($"--serial-port '{serialPort}': a port name such as COM5 or /dev/ttyUSB0");
                }

                string? password = WifiPassword(parse.GetValue(wifiPassword), parse.GetValue(wifiPasswordFile), notes);
                var profile = Boards.Load(parse.GetValue(board)!);
                if (dir is not null)
                {
                    CheckOutput(dir, id, parse.GetValue(force));

                    // The backend's key for this node, if it has one, stays: replacing it would make
                    // every manifest `ota` signs unreadable to the node until its new files are deployed.
                    try
                    {
                        keptKey = OtaKeyStore.TryLoad(keyFolder, id);
                    }
                    catch (ReleaseException e)
                    {
                        throw new FormatException($"--ota-keys {keyFolder}: {OtaKeyStore.PathOf(keyFolder, id)} is not an OTA key ({e.Message}); remove it to make a new key");
                    }
                }

                try
                {
                    p = NodeProvisioning.Create(new ProvisionRequest
                    {
                        Board = profile,
                        NodeId = id,
                        WifiSsid = parse.GetValue(ssid),
                        WifiPassword = password,
                        Broker = parse.GetValue(broker),
                        BaseConfig = configPath is null ? null : File.ReadAllText(configPath),
                        CaFileName = caPath is null ? null : Path.GetFileName(caPath),
                        SerialPort = serialPort,
                        Bench = parse.GetValue(bench),
                        OtaKey = keptKey,
                    });
                }
                catch (ConfigException e)
                {
                    // Line 0 of a sensor key: one of the board profile's default sensor lines.
                    string where = e.Line == 0 && e.Key?.StartsWith("sensor.", StringComparison.Ordinal) == true
                        ? $"board {profile.Id}'s default {e.Key}: " + e.Problem
                        : e.Message;
                    throw new FormatException((configPath is null ? "" : configPath + ": ") + where);
                }
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine("provision: " + e.Message);
                return 1;
            }

            foreach (var w in notes.Concat(p.Warnings))
            {
                Console.Error.WriteLine("provision: warning: " + w);
            }

            if (dir is null)
            {
                Print(p, caPath);
                return 0;
            }

            try
            {
                WriteFiles(p, dir, parse.GetValue(board)!, caPath, keyFolder, keptKey is not null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"provision: --out {dir}: cannot write there ({e.Message}); choose a folder you may write");
                return 1;
            }

            return 0;
        });
        NodeRegistryOptions.AttachTo(command, "--node-id");
        return command;
    }

    /// <summary>The Wi-Fi password from one of its three sources (more than one is a mistake: which would win?).</summary>
    private static string? WifiPassword(string? inline, string? file, List<string> notes)
    {
        string? fromEnv = Environment.GetEnvironmentVariable(WifiPasswordVariable);
        int given = (inline is null ? 0 : 1) + (file is null ? 0 : 1) + (string.IsNullOrEmpty(fromEnv) ? 0 : 1);
        if (given > 1)
        {
            throw new FormatException($"the Wi-Fi password is given more than once (--wifi-password, --wifi-password-file, {WifiPasswordVariable}): give one");
        }

        if (inline is not null)
        {
            notes.Add($"--wifi-password is visible in ps and the shell history; --wifi-password-file FILE or {WifiPasswordVariable} keep it off the command line");
            return inline;
        }

        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new FormatException($"--wifi-password-file {file}: no such file");
            }

            // The first line without its line end; blanks are the password's own (and refused by the node's rules if leading or trailing).
            string text = File.ReadAllText(file);
            int end = text.IndexOfAny(['\r', '\n']);
            return end < 0 ? text : text[..end];
        }

        return string.IsNullOrEmpty(fromEnv) ? null : fromEnv;
    }

    /// <summary>Refuses an --out that is a file, or a folder holding another node's config (its credentials would be lost), unless --force.</summary>
    private static void CheckOutput(string dir, uint id, bool force)
    {
        if (File.Exists(dir))
        {
            throw new FormatException($"--out {dir}: is a file; give a folder (it is created if missing)");
        }

        string existing = Path.Combine(dir, NodeProvisioning.ConfigFileName);
        if (force || !File.Exists(existing))
        {
            return;
        }

        string owner;
        try
        {
            uint other = NodeConfig.Parse(File.ReadAllText(existing)).NodeId;
            owner = other == id ? "" : $"node {other}";
        }
        catch (ConfigException)
        {
            owner = "a config citynode cannot read";
        }

        if (owner.Length > 0)
        {
            throw new FormatException($"--out {dir}: holds {owner}'s {NodeProvisioning.ConfigFileName} (its MQTT password would be lost); choose another folder, or --force to replace it");
        }
    }

    private static void WriteFiles(NodeProvisioning p, string dir, string board, string? caPath, string keyFolder, bool keptKey)
    {
        Directory.CreateDirectory(dir);
        Write(Path.Combine(dir, NodeProvisioning.ConfigFileName), p.ConfigText, secret: true);
        OtaKeyStore.WriteKeyFile(Path.Combine(dir, NodeFiles.OtaKey), p.OtaKey);
        if (!keptKey)
        {
            OtaKeyStore.Save(keyFolder, p.NodeId, p.OtaKey);
        }

        File.Copy(Boards.PathOf(board), Path.Combine(dir, NodeProvisioning.BoardFileName), overwrite: true);
        Write(Path.Combine(dir, "mosquitto.passwd"), p.PasswordLine + "\n", secret: false);
        Write(Path.Combine(dir, "mosquitto.acl"), p.AclLines, secret: false);
        Write(Path.Combine(dir, "mosquitto-backend.acl"), NodeProvisioning.BackendAclLines() + NodeProvisioning.BackendOtaAclLines(), secret: false);
        string full = Path.GetFullPath(dir);
        if (p.TakesUpdates)
        {
            Write(Path.Combine(dir, NodeProvisioning.AppListFileName), NodeProvisioning.AppListText, secret: false);
        }

        Write(Path.Combine(dir, "deploy.json"), p.FileDeploymentJson(full) + "\n", secret: false);
        if (caPath is not null)
        {
            string target = Path.Combine(full, Path.GetFileName(caPath));
            if (Path.GetFullPath(caPath) != target)
            {
                File.Copy(caPath, target, overwrite: true);
            }
        }

        var steps = p.NanoffCommands(full);
        Write(Path.Combine(dir, "flash.sh"), "#!/bin/sh\n# Flash and configure CityNode node " + p.NodeId + " (run from the repository root).\nset -e\n" +
            string.Concat(steps.Select(s => $"# {s.What}\n{s.Command}\n")), secret: false);
        Console.WriteLine($"node {p.NodeId} provisioned in {dir}:");
        Console.WriteLine($"  {NodeProvisioning.ConfigFileName}   the node's config with its MQTT password (mode 600)");
        Console.WriteLine($"  {NodeProvisioning.BoardFileName}      the board profile (pins, power constants)");
        Console.WriteLine($"  {NodeFiles.OtaKey}          the node's OTA key (mode 600); the backend's copy {(keptKey ? "kept" : "written")}: {OtaKeyStore.PathOf(keyFolder, p.NodeId)}");
        Console.WriteLine("  mosquitto.passwd append to the broker's password_file");
        Console.WriteLine("  mosquitto.acl    append to the broker's acl_file (then reload mosquitto)");
        Console.WriteLine($"  mosquitto-backend.acl  once per broker: the backend account {NodeProvisioning.BackendUser} (receive, configure, ota);");
        Console.WriteLine($"                   create its password once too: {NodeProvisioning.BackendPasswordCommand()}");
        if (p.TakesUpdates)
        {
            Console.WriteLine($"  {NodeProvisioning.AppListFileName}        the loader's list of the application's files (deployed as {NodeProvisioning.DeviceDrive}{CityNode.Loader.AppLoader.AppList})");
        }

        Console.WriteLine("  deploy.json      nanoff --filedeployment description");
        Console.WriteLine("  flash.sh         the nanoff commands below");
        foreach (var (what, cmd) in steps)
        {
            Console.WriteLine($"\n# {what}\n{cmd}");
        }
    }

    private static void Print(NodeProvisioning p, string? caPath)
    {
        Console.WriteLine($"# ---- {NodeProvisioning.ConfigFileName} (deploy to {NodeProvisioning.DeviceDrive}{NodeProvisioning.ConfigFileName}) ----");
        Console.Write(p.ConfigText);
        Console.WriteLine("\n# ---- mosquitto password_file line ----");
        Console.WriteLine(p.PasswordLine);
        Console.WriteLine("\n# ---- mosquitto acl_file lines ----");
        Console.Write(p.AclLines);
        Console.WriteLine($"# once per broker (and its password: {NodeProvisioning.BackendPasswordCommand()}):");
        Console.Write(NodeProvisioning.BackendAclLines() + NodeProvisioning.BackendOtaAclLines());
        Console.WriteLine($"\n# ---- {NodeProvisioning.BoardFileName}: copy boards/{p.Request.Board.Id}.board ----");
        Console.WriteLine("\n# ---- nanoff (save the deploy.json below next to citynode.conf; --out DIR writes all of this as files) ----");
        Console.WriteLine(p.FileDeploymentJson(".", withOtaKey: false));
        Console.WriteLine($"# the node's OTA key ({NodeFiles.OtaKey}) is never printed: --out DIR writes it, with the backend's copy in --ota-keys, and adds it to deploy.json");
        foreach (var (what, cmd) in p.NanoffCommands("."))
        {
            Console.WriteLine($"# {what}\n{cmd}");
        }
    }

    private static void Write(string path, string text, bool secret)
    {
        // A secret file is created 600, not made readable for a moment before the chmod.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (secret && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var w = new StreamWriter(path, options))
        {
            w.Write(text);
        }

        if (secret && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
