using CityNode.Loader;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Host.Ota;
using CityNode.Node;
using CityNode.Telemetry;

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

    /// <summary>The node's OTA key the backend already keeps (re-provisioning keeps it); null: a new one.</summary>
    public byte[]? OtaKey { get; init; }
}

/// <summary>
/// Everything one node needs: its validated config with generated MQTT credentials, the lines the
/// broker needs (password file, ACL: the node may publish only its own telemetry and read only its
/// own config, OTA manifest and the release chunks), its OTA key, and the nanoff commands to flash
/// the firmware, deploy the app, the config file and the key.
/// </summary>
public sealed class NodeProvisioning
{
    public const string ConfigFileName = "citynode.conf";

    /// <summary>The board profile on the device (the node reads its pins and power constants from it).</summary>
    public const string BoardFileName = "board.conf";
    public const string DeviceDrive = "I:\\";

    /// <summary>The backend's MQTT account (receive, configure), granted by <see cref="BackendAclLines"/>; docs/receiver.md and docs/field-guide.md use this name.</summary>
    public const string BackendUser = "citynode-backend";

    /// <summary>Creates the backend account's password once per broker (mosquitto_passwd prompts for it, so it stays out of the shell history).</summary>
    public static string BackendPasswordCommand(string passwordFile = "/etc/mosquitto/passwd") => $"mosquitto_passwd {passwordFile} {BackendUser}";

    private NodeProvisioning(ProvisionRequest request, string config, string user, string password, IReadOnlyList<string> warnings)
    {
        Request = request;
        OtaKey = request.OtaKey ?? OtaKeyStore.NewKey();
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

    /// <summary>The node's OTA key (<see cref="NodeFiles.OtaKey"/> on its drive, the backend's copy in <see cref="OtaKeyStore"/>); never printed.</summary>
    public byte[] OtaKey { get; }

    /// <summary>What the node will still lack (no Wi-Fi, no broker): said, not refused.</summary>
    public IReadOnlyList<string> Warnings { get; }

    public uint NodeId => Request.NodeId;

    public string AclLines =>
        $"# node {NodeId}: publishes its telemetry and OTA state, reads its remote config, the backend's acknowledgement, its OTA manifest and the release chunks, nothing else\n" +
        $"user {MqttUser}\n" +
        $"topic write {Topics.Telemetry(NodeId)}\n" +
        $"topic read {Topics.Config(NodeId)}\n" +
        $"topic read {Topics.Ack(NodeId)}\n" +
        $"topic read {Topics.Ota(NodeId)}\n" +
        $"topic read {Topics.AllOtaChunks()}\n" +
        $"topic write {Topics.OtaState(NodeId)}\n";

    /// <summary>
    /// The backend account's lines, once per broker: receivers read all telemetry and write (retained)
    /// each node's acknowledgement, <c>citynode configure</c> writes (and reads back) the retained
    /// config documents. No node account may write a config or ack topic, so a compromised node
    /// cannot reconfigure others or release their batches.
    /// </summary>
    public static string BackendAclLines(string user = BackendUser) =>
        "# the backend: receivers read all telemetry and acknowledge it; citynode configure writes config documents\n" +
        $"user {user}\n" +
        $"topic read {Topics.AllNodes(Topics.TelemetryLeaf)}\n" +
        $"topic readwrite {Topics.AllNodes(Topics.AckLeaf)}\n" +
        $"topic readwrite {Topics.AllNodes(Topics.ConfigLeaf)}\n";

    /// <summary>
    /// The backend account's OTA lines (written after <see cref="BackendAclLines"/> in
    /// mosquitto-backend.acl; mosquitto adds a user's lines up across its <c>user</c> blocks):
    /// <c>citynode ota</c> writes the manifests (and withdraws them) and the chunks, and reads the
    /// nodes' state reports. Only this account writes those topics: a node account can neither push
    /// a release nor hide another node's manifest (docs/ota.md, "Keys and the broker ACL").
    /// </summary>
    public static string BackendOtaAclLines(string user = BackendUser) =>
        "# the backend: citynode ota writes manifests and release chunks and reads the nodes' OTA state\n" +
        $"user {user}\n" +
        $"topic readwrite {Topics.AllNodes(Topics.OtaLeaf)}\n" +
        $"topic readwrite {Topics.AllOtaChunks()}\n" +
        $"topic read {Topics.AllNodes(Topics.OtaStateLeaf)}\n";

    /// <summary>nanoff's file deployment description (its <c>--filedeployment</c> JSON).</summary>
    /// <param name="withOtaKey">False when the files are only printed: the key is written with --out only, never printed.</param>
    public string FileDeploymentJson(string sourceDirectory, bool withOtaKey = true)
    {
        var files = new List<object>
        {
            new { DestinationFilePath = DeviceDrive + ConfigFileName, SourceFilePath = Path.Combine(sourceDirectory, ConfigFileName) },
            new { DestinationFilePath = DeviceDrive + BoardFileName, SourceFilePath = Path.Combine(sourceDirectory, BoardFileName) },
        };
        if (withOtaKey)
        {
            files.Add(new { DestinationFilePath = DeviceDrive + NodeFiles.OtaKey, SourceFilePath = Path.Combine(sourceDirectory, NodeFiles.OtaKey) });
        }

        if (Request.CaFileName is string ca)
        {
            files.Add(new { DestinationFilePath = DeviceDrive + Path.GetFileName(ca), SourceFilePath = Path.Combine(sourceDirectory, Path.GetFileName(ca)) });
        }

        if (TakesUpdates)
        {
            // The loader image runs what I:\app\files names: the application, copied beside it by cable.
            files.Add(new { DestinationFilePath = DeviceDrive + AppLoader.AppFolder + ApplicationFile, SourceFilePath = ApplicationPe });
            files.Add(new { DestinationFilePath = DeviceDrive + AppLoader.AppList, SourceFilePath = Path.Combine(sourceDirectory, AppListFileName) });
        }

        return JsonSerializer.Serialize(new { SerialPort = Request.SerialPort, Files = files }, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The application image Visual Studio builds (run the commands from the repository root).</summary>
    public const string ApplicationImage = "firmware/CityNode.Esp32/bin/Release/CityNode.Esp32.bin";

    /// <summary>The loader image, deployed instead of the application on a board that takes updates (<see cref="BoardProfile.TakesUpdates"/>).</summary>
    public const string LoaderImage = "firmware/CityNode.Loader/bin/Release/CityNode.Loader.bin";

    /// <summary>The application's one assembly as a file: what a release ships and what the loader's list names.</summary>
    public const string ApplicationFile = AppLoader.ApplicationAssembly + ".pe";

    /// <summary>The application's assembly as Visual Studio builds it, copied to I:\app\ under the loader image.</summary>
    public const string ApplicationPe = "firmware/CityNode.Esp32/bin/Release/" + ApplicationFile;

    /// <summary>The loader's list (deployed as I:\app\files), written beside citynode.conf.</summary>
    public const string AppListFileName = "app.files";

    /// <summary>The list's text: the application's one file.</summary>
    public static string AppListText => "# load order of the application's assemblies (the CityNode loader, docs/ota.md)\n" + ApplicationFile + "\n";

    /// <summary>Whether the node gets the loader image and takes updates (a board with PSRAM and room for two slots).</summary>
    public bool TakesUpdates => Request.Board.TakesUpdates;

    /// <summary>
    /// The steps on the bench, in order, as nanoff (nanoFirmwareFlasher) takes them: <c>--update</c>
    /// writes the nanoFramework firmware for <c>--target</c>, and <c>--deploy --image</c> the managed
    /// application at the deployment partition (its Options.cs: <c>--image</c> names the deployment
    /// image, <c>--deploy</c> "flash a deployment image specified with --image"); then
    /// <c>--filedeployment</c> copies the config (and CA) to the internal drive, over the wire
    /// protocol on <c>--serialport</c> (the JSON's SerialPort, when set, wins).
    /// </summary>
    public IReadOnlyList<(string What, string Command)> NanoffCommands(string directory)
    {
        string target = Request.Board.NanoffTarget ?? "ESP32_REV0";
        string port = Request.SerialPort;
        return new[]
        {
            TakesUpdates
                ? ("flash the nanoFramework firmware and deploy the CityNode loader (built by Visual Studio into firmware/CityNode.Loader/bin/Release; it takes updates over the air)",
                    $"nanoff --update --target {target} --serialport {port} --deploy --image {LoaderImage}")
                : ("flash the nanoFramework firmware and deploy the CityNode application (built by Visual Studio into firmware/CityNode.Esp32/bin/Release; this board takes no update over the air: no PSRAM)",
                    $"nanoff --update --target {target} --serialport {port} --deploy --image {ApplicationImage}"),
            (TakesUpdates ? "write this node's configuration and the application to its internal drive" : "write this node's configuration to its internal drive", $"nanoff --serialport {port} --filedeployment {Path.Combine(directory, "deploy.json")}"),
        };
    }

    public static NodeProvisioning Create(ProvisionRequest r)
    {
        var warnings = new List<string>();
        if ((r.WifiSsid is null) != (r.WifiPassword is null))
        {
            throw new FormatException(r.WifiSsid is null ? "--wifi-password: give --wifi-ssid too" : "--wifi-ssid: give --wifi-password too (the node joins WPA2 networks only)");
        }

        // Each option's value by the node's own rules, named by its option (not by a line of a file the technician never wrote).
        CheckOption("--wifi-ssid", "wifi.ssid", r.WifiSsid, secret: false);
        CheckOption("--wifi-password", "wifi.password", r.WifiPassword, secret: true);
        CheckOption("--broker", "mqtt.broker", r.Broker, secret: false);

        ConfigDocument doc = r.BaseConfig is null ? new ConfigDocument() : ConfigDocument.Parse(r.BaseConfig);
        int at = doc.Find("node.id");
        if (at >= 0 && doc.Value(at) != r.NodeId.ToString())
        {
            throw new ConfigException(doc.Line(at), "node.id", $"is {doc.Value(at)} but --node-id is {r.NodeId}");
        }

        if (at < 0)
        {
            doc.Set("node.id", r.NodeId.ToString());
        }

        int board = doc.Find("board");
        if (board >= 0 && doc.Value(board) != r.Board.Id)
        {
            throw new ConfigException(doc.Line(board), "board", $"is {doc.Value(board)} but --board is {r.Board.Id} (its wiring and pins would not match)");
        }

        // The board's sensor wiring, unless the base config wires its own; then the whole as the node
        // will read it (errors name the base config's line, or the board profile for its defaults).
        var boardSensors = ConfigDocument.Parse(r.Board.SensorLines());
        for (int i = 0; i < boardSensors.Count; i++)
        {
            if (doc.Find(boardSensors.Key(i)) < 0)
            {
                doc.Set(boardSensors.Key(i), boardSensors.Value(i));
            }
        }

        SensorWiring.Check(doc, r.Board); // first: an unknown sensor name is "no driver", not "not wired"
        NodeConfig.Load(doc);

        string user = $"node-{r.NodeId}";
        string password = Base64Url(RandomNumberGenerator.GetBytes(24));
        doc.Set("board", r.Board.Id);
        if (doc.Find("config.version") < 0)
        {
            doc.Set("config.version", "1");
        }

        if (doc.Find("delivery.ack") < 0)
        {
            // This backend acknowledges what it stored (citynode receive): batches leave flash only then (docs/reliability.md).
            doc.Set("delivery.ack", "backend");
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
        var text = new StringBuilder()
            .Append($"# CityNode node {r.NodeId} on {r.Board.Name ?? r.Board.Id}, written by citynode provision on {DateTime.UtcNow:yyyy-MM-dd}.\n")
            .Append("# Holds this node's MQTT password: keep it off shared drives.\n")
            .Append(doc.ToText())
            .ToString();
        var config = NodeConfig.Parse(text); // the node will parse exactly this
        if (config.MqttBroker is null)
        {
            warnings.Add("no broker: add mqtt.broker (mqtts://host:8883) before deploying");
        }
        else if (!config.MqttTls)
        {
            warnings.Add($"{config.MqttBroker} is not TLS: credentials and readings cross the network in clear; use mqtts://");
        }
        else if (config.MqttCa is null)
        {
            warnings.Add($"{config.MqttBroker} without --ca: the node trusts no built-in certificate store and will not connect until mqtt.ca names the broker's CA on its drive; give --ca FILE (the broker's CA, PEM)");
        }

        return new NodeProvisioning(r, text, user, password, warnings);
    }

    /// <summary>A value given as an option, checked by the node config's parser; the error names the option (and the value, unless it is a secret).</summary>
    private static void CheckOption(string option, string key, string? value, bool secret)
    {
        if (value is null)
        {
            return;
        }

        try
        {
            var d = new ConfigDocument();
            d.Set("node.id", "1");
            d.Set(key, value);
            NodeConfig.Load(d);
        }
        catch (ConfigException e)
        {
            string shown = value.Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t");
            throw new FormatException(secret || e.Problem.Contains(value, StringComparison.Ordinal) ? $"{option}: {e.Problem}" : $"{option} '{shown}': {e.Problem}");
        }
    }

    private static string Base64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
