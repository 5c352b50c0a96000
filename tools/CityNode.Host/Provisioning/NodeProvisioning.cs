using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CityNode.Config;

namespace CityNode.Host.Provisioning;

/// <summary>What a technician asks for: a board, a node id, and optionally the network and a config to start from.</summary>
public sealed record ProvisionRequest
{
    public required BoardProfile Board { get; init; }

    public required uint NodeId { get; init; }

    public string? WifiSsid { get; init; }

    public string? WifiPassword { get; init; }

    public string? Broker { get; init; }

    /// <summary>A config whose keys (sample, publish, sensors, calibration, ...) are kept; errors name its line and key.</summary>
    public string? BaseConfig { get; init; }

    /// <summary>Name of the CA file to deploy beside the config (the node trusts only it).</summary>
    public string? CaFileName { get; init; }

    public string SerialPort { get; init; } = "COM3";

    /// <summary>Write <c>bench = true</c>: the node prints live readings and publishes nothing (the bench check).</summary>
    public bool Bench { get; init; }
}

/// <summary>
/// Everything one node needs: its validated config with generated MQTT credentials, the lines the
/// broker needs (password file, ACL: the node may publish only its own telemetry and read only its
/// own config), and the nanoff commands to flash the firmware, deploy the app and the config file.
/// </summary>
public sealed class NodeProvisioning
{
    public const string ConfigFileName = "citynode.conf";

    /// <summary>The board profile on the device (the node reads its pins and power constants from it).</summary>
    public const string BoardFileName = "board.conf";
    public const string DeviceDrive = "I:\\";

    private NodeProvisioning(ProvisionRequest request, string config, string user, string password, IReadOnlyList<string> warnings)
    {
        Request = request;
        ConfigText = config;
        MqttUser = user;
        MqttPassword = password;
        Warnings = warnings;
        PasswordLine = MosquittoPassword.Line(user, password);
    }

    public ProvisionRequest Request { get; }

    public string ConfigText { get; }

    public string MqttUser { get; }

    public string MqttPassword { get; }

    public string PasswordLine { get; }

    /// <summary>What the node will still lack (no Wi-Fi, no broker): said, not refused.</summary>
    public IReadOnlyList<string> Warnings { get; }

    public uint NodeId => Request.NodeId;

    public string AclLines =>
        $"# node {NodeId}: publishes its telemetry, reads its remote config, nothing else\n" +
        $"user {MqttUser}\n" +
        $"topic write {NodeConfig.TopicFor(NodeId, "up")}\n" +
        $"topic read {NodeConfig.TopicFor(NodeId, "config")}\n";

    /// <summary>
    /// The backend account's lines, once per broker: receivers read all telemetry, <c>citynode
    /// configure</c> writes (and reads back) the retained config documents. No node account may
    /// write a config topic, so a compromised node cannot reconfigure others.
    /// </summary>
    public static string BackendAclLines(string user = "citynode-backend") =>
        "# the backend: receivers read all telemetry; citynode configure writes config documents\n" +
        $"user {user}\n" +
        "topic read citynode/+/up\n" +
        "topic readwrite citynode/+/config\n";

    /// <summary>nanoff's file deployment description (its <c>--filedeployment</c> JSON).</summary>
    public string FileDeploymentJson(string sourceDirectory)
    {
        var files = new List<object>
        {
            new { DestinationFilePath = DeviceDrive + ConfigFileName, SourceFilePath = Path.Combine(sourceDirectory, ConfigFileName) },
            new { DestinationFilePath = DeviceDrive + BoardFileName, SourceFilePath = Path.Combine(sourceDirectory, BoardFileName) },
        };
        if (Request.CaFileName is string ca)
        {
            files.Add(new { DestinationFilePath = DeviceDrive + Path.GetFileName(ca), SourceFilePath = Path.Combine(sourceDirectory, Path.GetFileName(ca)) });
        }

        return JsonSerializer.Serialize(new { SerialPort = Request.SerialPort, Files = files }, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// The steps on the bench, in order: nanoff flashes the nanoFramework firmware and deploys the
    /// application image in one go (<c>--update --image</c>), then copies the config (and CA) to
    /// the internal drive (<c>--filedeployment</c>).
    /// </summary>
    public IReadOnlyList<(string What, string Command)> NanoffCommands(string directory)
    {
        string target = Request.Board.NanoffTarget ?? "ESP32_REV0";
        string port = Request.SerialPort;
        return new[]
        {
            ("flash the nanoFramework firmware and the CityNode application (built by Visual Studio into firmware/CityNode.Esp32/bin/Release)",
                $"nanoff --update --target {target} --serialport {port} --image firmware/CityNode.Esp32/bin/Release/CityNode.Esp32.bin"),
            ("write this node's configuration to its internal drive", $"nanoff --serialport {port} --filedeployment {Path.Combine(directory, "deploy.json")}"),
        };
    }

    public static NodeProvisioning Create(ProvisionRequest r)
    {
        var warnings = new List<string>();
        if ((r.WifiSsid is null) != (r.WifiPassword is null))
        {
            throw new FormatException(r.WifiSsid is null ? "--wifi-password: give --wifi-ssid too" : "--wifi-ssid: give --wifi-password too (the node joins WPA2 networks only)");
        }

        ConfigDocument doc = new();
        if (r.BaseConfig is not null)
        {
            var baseDoc = ConfigDocument.Parse(r.BaseConfig);
            int at = baseDoc.Find("node.id");
            if (at >= 0 && baseDoc.Value(at) != r.NodeId.ToString())
            {
                throw new ConfigException(baseDoc.Line(at), "node.id", $"is {baseDoc.Value(at)} but --node-id is {r.NodeId}");
            }

            NodeConfig.Load(WithId(baseDoc, r.NodeId)); // validates, naming line and key
            for (int i = 0; i < baseDoc.Count; i++)
            {
                doc.Set(baseDoc.Key(i), baseDoc.Value(i));
            }
        }

        string user = $"node-{r.NodeId}";
        string password = Base64Url(RandomNumberGenerator.GetBytes(24));
        doc.Set("node.id", r.NodeId.ToString());
        doc.Set("board", r.Board.Id);
        if (doc.Find("config.version") < 0)
        {
            doc.Set("config.version", "1");
        }

        if (r.WifiSsid is not null)
        {
            doc.Set("wifi.ssid", r.WifiSsid);
            doc.Set("wifi.password", r.WifiPassword!);
        }
        else if (doc.Find("wifi.ssid") < 0)
        {
            warnings.Add("no Wi-Fi: the node will buffer readings until wifi.ssid and wifi.password are added");
        }

        if (r.Broker is not null)
        {
            doc.Set("mqtt.broker", r.Broker);
            if (r.Broker.StartsWith("mqtt://", StringComparison.Ordinal))
            {
                warnings.Add($"{r.Broker} is not TLS: credentials and readings cross the network in clear; use mqtts://");
            }
        }
        else if (doc.Find("mqtt.broker") < 0)
        {
            warnings.Add("no broker: add mqtt.broker (mqtts://host:8883) before deploying");
        }

        if (r.CaFileName is string ca)
        {
            doc.Set("mqtt.ca", DeviceDrive + Path.GetFileName(ca));
        }

        if (r.Bench)
        {
            doc.Set("bench", "true");
            warnings.Add("bench = true: the node prints readings on its console and publishes nothing; provision again without --bench before it goes up");
        }

        doc.Set("mqtt.username", user);
        doc.Set("mqtt.password", password);

        // The board's sensor wiring, unless the base config wires its own.
        var boardSensors = ConfigDocument.Parse(r.Board.SensorLines());
        for (int i = 0; i < boardSensors.Count; i++)
        {
            if (doc.Find(boardSensors.Key(i)) < 0)
            {
                doc.Set(boardSensors.Key(i), boardSensors.Value(i));
            }
        }

        var text = new StringBuilder()
            .Append($"# CityNode node {r.NodeId} on {r.Board.Name ?? r.Board.Id}, written by citynode provision on {DateTime.UtcNow:yyyy-MM-dd}.\n")
            .Append("# Holds this node's MQTT password: keep it off shared drives.\n")
            .Append(doc.ToText())
            .ToString();
        NodeConfig.Parse(text); // the node will parse exactly this
        return new NodeProvisioning(r, text, user, password, warnings);
    }

    private static ConfigDocument WithId(ConfigDocument d, uint id)
    {
        if (d.Find("node.id") < 0)
        {
            d.Set("node.id", id.ToString());
        }

        return d;
    }

    private static string Base64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
