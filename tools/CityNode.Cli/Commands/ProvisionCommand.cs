using System.CommandLine;
using CityNode.Config;
using CityNode.Host.Provisioning;
using CityNode.Host.Reports;

namespace CityNode.Cli.Commands;

/// <summary><c>citynode provision</c>: a node's config, credentials, broker lines and flashing commands.</summary>
internal static class ProvisionCommand
{
    public static Command Create()
    {
        var board = new Option<string>("--board") { Description = "board profile id (boards/*.board) or file", Required = true };
        var nodeId = new Option<string>("--node-id") { Description = "the node's number, 1 to 4294967295 (its MQTT topic is citynode/ID/up)", Required = true };
        var ssid = new Option<string?>("--wifi-ssid") { Description = "Wi-Fi network name" };
        var wifiPassword = new Option<string?>("--wifi-password") { Description = "Wi-Fi password (WPA2)" };
        var broker = new Option<string?>("--broker") { Description = "broker URL the node publishes to, e.g. mqtts://broker.city.example:8883" };
        var config = new Option<string?>("--config") { Description = "a node config to start from (sample, publish, sensors, calibration, ...)" };
        var ca = new Option<string?>("--ca") { Description = "CA certificate (PEM) of the broker, deployed beside the config; the node trusts only it" };
        var port = new Option<string>("--serial-port") { Description = "serial port of the node in the nanoff commands", DefaultValueFactory = _ => "COM3" };
        var bench = new Option<bool>("--bench") { Description = "a bench-check config: live readings on the serial console, nothing published" };
        var output = new Option<string?>("--out") { Description = "write the files to this directory (default: print them)" };
        var command = new Command("provision", "Make a node's config, MQTT credentials, mosquitto password/ACL lines and nanoff commands")
        {
            board, nodeId, ssid, wifiPassword, broker, config, ca, port, bench, output,
        };
        command.SetAction(parse =>
        {
            NodeProvisioning p;
            string? caPath = parse.GetValue(ca);
            try
            {
                string idText = parse.GetValue(nodeId)!;
                if (!uint.TryParse(idText, out uint id) || id == 0)
                {
                    throw new FormatException($"--node-id '{idText}': a number from 1 to 4294967295");
                }

                string? configPath = parse.GetValue(config);
                if (configPath is not null && !File.Exists(configPath))
                {
                    throw new FormatException($"--config {configPath}: no such file");
                }

                if (caPath is not null && (!File.Exists(caPath) || !File.ReadAllText(caPath).Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)))
                {
                    throw new FormatException($"--ca {caPath}: not a PEM certificate file");
                }

                string? brokerUrl = parse.GetValue(broker);
                if (brokerUrl is not null)
                {
                    CityNode.Host.Mqtt.BrokerAddress.Parse(brokerUrl); // names the bad value
                }

                try
                {
                    p = NodeProvisioning.Create(new ProvisionRequest
                    {
                        Board = Boards.Load(parse.GetValue(board)!),
                        NodeId = id,
                        WifiSsid = parse.GetValue(ssid),
                        WifiPassword = parse.GetValue(wifiPassword),
                        Broker = brokerUrl,
                        BaseConfig = configPath is null ? null : File.ReadAllText(configPath),
                        CaFileName = caPath is null ? null : Path.GetFileName(caPath),
                        SerialPort = parse.GetValue(port)!,
                        Bench = parse.GetValue(bench),
                    });
                }
                catch (ConfigException e)
                {
                    throw new FormatException((configPath is null ? "" : configPath + ": ") + e.Message);
                }
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine("provision: " + e.Message);
                return 1;
            }

            foreach (var w in p.Warnings)
            {
                Console.Error.WriteLine("provision: warning: " + w);
            }

            string? dir = parse.GetValue(output);
            if (dir is null)
            {
                Print(p, caPath);
                return 0;
            }

            Directory.CreateDirectory(dir);
            Write(Path.Combine(dir, NodeProvisioning.ConfigFileName), p.ConfigText, secret: true);
            File.Copy(Boards.PathOf(parse.GetValue(board)!), Path.Combine(dir, NodeProvisioning.BoardFileName), overwrite: true);
            Write(Path.Combine(dir, "mosquitto.passwd"), p.PasswordLine + "\n", secret: false);
            Write(Path.Combine(dir, "mosquitto.acl"), p.AclLines, secret: false);
            Write(Path.Combine(dir, "mosquitto-backend.acl"), NodeProvisioning.BackendAclLines(), secret: false);
            string full = Path.GetFullPath(dir);
            Write(Path.Combine(dir, "deploy.json"), p.FileDeploymentJson(full) + "\n", secret: false);
            if (caPath is not null)
            {
                File.Copy(caPath, Path.Combine(dir, Path.GetFileName(caPath)), overwrite: true);
            }

            var steps = p.NanoffCommands(full);
            Write(Path.Combine(dir, "flash.sh"), "#!/bin/sh\n# Flash and configure CityNode node " + p.NodeId + " (run from the repository root).\nset -e\n" +
                string.Concat(steps.Select(s => $"# {s.What}\n{s.Command}\n")), secret: false);
            Console.WriteLine($"node {p.NodeId} provisioned in {dir}:");
            Console.WriteLine($"  {NodeProvisioning.ConfigFileName}   the node's config with its MQTT password (mode 600)");
            Console.WriteLine($"  {NodeProvisioning.BoardFileName}      the board profile (pins, power constants)");
            Console.WriteLine("  mosquitto.passwd append to the broker's password_file");
            Console.WriteLine("  mosquitto.acl    append to the broker's acl_file (then reload mosquitto)");
            Console.WriteLine("  mosquitto-backend.acl  once per broker: the backend account (receive, configure)");
            Console.WriteLine("  deploy.json      nanoff --filedeployment description");
            Console.WriteLine("  flash.sh         the nanoff commands below");
            foreach (var (what, cmd) in steps)
            {
                Console.WriteLine($"\n# {what}\n{cmd}");
            }

            return 0;
        });
        NodeRegistryOptions.AttachTo(command, "--node-id");
        return command;
    }

    private static void Print(NodeProvisioning p, string? caPath)
    {
        Console.WriteLine($"# ---- {NodeProvisioning.ConfigFileName} (deploy to {NodeProvisioning.DeviceDrive}{NodeProvisioning.ConfigFileName}) ----");
        Console.Write(p.ConfigText);
        Console.WriteLine("\n# ---- mosquitto password_file line ----");
        Console.WriteLine(p.PasswordLine);
        Console.WriteLine("\n# ---- mosquitto acl_file lines ----");
        Console.Write(p.AclLines);
        Console.WriteLine("# once per broker:");
        Console.Write(NodeProvisioning.BackendAclLines());
        Console.WriteLine($"\n# ---- {NodeProvisioning.BoardFileName}: copy boards/{p.Request.Board.Id}.board ----");
        Console.WriteLine("\n# ---- nanoff (save the deploy.json below next to citynode.conf; --out DIR writes all of this as files) ----");
        Console.WriteLine(p.FileDeploymentJson("."));
        foreach (var (what, cmd) in p.NanoffCommands("."))
        {
            Console.WriteLine($"# {what}\n{cmd}");
        }
    }

    private static void Write(string path, string text, bool secret)
    {
        File.WriteAllText(path, text);
        if (secret && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
