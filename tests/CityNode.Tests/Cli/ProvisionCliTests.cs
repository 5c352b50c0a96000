using System.Text.Json;
using System.Text.RegularExpressions;
using CityNode.Config;
using CityNode.Host.Provisioning;
using Xunit;

namespace CityNode.Tests.Cli;

/// <summary>provision as a field technician meets it: every value checked by the node's own rules, named by its option or line (issue 14).</summary>
[Collection("cli")]
public sealed class ProvisionCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-provision-cli-").FullName;

    private string Conf(string text)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N")[..8] + ".conf");
        File.WriteAllText(path, text);
        return path;
    }

    private static Task<(int Exit, string Out, string Err)> Provision(params string[] more) =>
        CliRunner.Run(["provision", "--board", "firebeetle-esp32e", "--node-id", "42", .. more]);

    // Item 4: sensor lines and lists are refused at provision with the line and the problem.
    [Theory]
    [InlineData("sample = 60s\nsensor.bme280 = i2c:0x99\n", "line 2: sensor.bme280: '0x99' is not a 7-bit I2C address")]
    [InlineData("sensor.bme280 = i2c:0x62\n", "line 1: sensor.bme280: 0x62 is not a bme280 address: 0x76 (SDO to GND) or 0x77 (SDO to VDDIO)")]
    [InlineData("sensor.sds011 = uart:COM9\n", "line 1: sensor.sds011: 'COM9' is not a sensor serial port: COM2 or COM3")]
    [InlineData("sensor.pms5003 = uart:COM3\nsensor.sds011 = uart:COM2\n", "line 1: sensor.pms5003: COM3 has no pins on board firebeetle-esp32e")]
    [InlineData("sensor.turbidity = adc:6\n", "line 1: sensor.turbidity: ADC channel 6 is the battery divider's on board firebeetle-esp32e")]
    [InlineData("sensor.tds = adc:12\n", "line 1: sensor.tds: '12' is not an ADC1 channel (0..7")]
    [InlineData("sensor.foo = i2c:0x40\n", "line 1: sensor.foo: no driver for 'foo' (known: bme280,")]
    [InlineData("sensor.scd41 = adc:3\n", "line 1: sensor.scd41: scd41 is on i2c, not adc")]
    [InlineData("sensor.ezo_orp = i2c:0x62\n", "board firebeetle-esp32e's default sensor.scd41: i2c1 address 0x62 is taken by sensor.ezo_orp (line 1)")]
    [InlineData("sensor.bme280 = i2c:0x76\nsensor.bme680 = i2c1:0x76\n", "line 2: sensor.bme680: i2c1 address 0x76 is taken by sensor.bme280 (line 1)")]
    [InlineData("sample = 60s\nsensors = bme280,nosuch\n", "line 2: sensors: no driver for 'nosuch' (known: bme280,")]
    [InlineData("sample = 60s\nsensors = bme280,ezo_ph\n", "line 2: sensors: 'ezo_ph' is not wired on this node: no sensor.ezo_ph line (wired: bme280, sds011, scd41)")]
    [InlineData("sensors = bme280,,scd41\n", "line 1: sensors: empty name in 'bme280,,scd41'")]
    [InlineData("sample = 60s\nboard = esp32-devkitc\n", "line 2: board: is esp32-devkitc but --board is firebeetle-esp32e")]
    public async Task A_bad_sensor_line_in_the_config_is_refused_naming_the_line_and_the_problem(string config, string message)
    {
        string path = Conf(config);
        var (exit, stdout, err) = await Provision("--config", path);
        Assert.Equal(1, exit);
        Assert.Contains($"provision: {path}: {message}", err);
        Assert.Empty(stdout);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task Sensors_the_config_wires_and_lists_are_accepted_and_kept()
    {
        var (exit, stdout, err) = await Provision("--config", Conf("sensor.bme280 = i2c:0x77\nsensors = bme280,scd41\n"), "--broker", "mqtt://10.0.0.2:1883");
        Assert.True(exit == 0, err);
        var config = NodeConfig.Parse(stdout[stdout.IndexOf("# CityNode node", StringComparison.Ordinal)..stdout.IndexOf("\n# ---- mosquitto", StringComparison.Ordinal)]);
        Assert.Equal("i2c:0x77", config.Document.Get("sensor.bme280"));
        Assert.Equal("bme280,scd41", config.Sensors);
    }

    // Item 19: the printed commands are nanoff's: --deploy with --image deploys the application, --filedeployment the files.
    [Fact]
    public async Task The_printed_nanoff_commands_deploy_the_application_and_the_files()
    {
        string outDir = Path.Combine(_dir, "node42");
        var (exit, stdout, err) = await Provision("--serial-port", "COM5", "--out", outDir);
        Assert.True(exit == 0, err);
        string full = Path.GetFullPath(outDir);
        var printed = stdout.Split('\n').Where(l => l.StartsWith("nanoff ", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                "nanoff --update --target ESP32_REV3 --serialport COM5 --deploy --image firmware/CityNode.Esp32/bin/Release/CityNode.Esp32.bin",
                $"nanoff --serialport COM5 --filedeployment {Path.Combine(full, "deploy.json")}",
            ],
            printed);
        Assert.Equal(printed, File.ReadAllLines(Path.Combine(outDir, "flash.sh")).Where(l => l.StartsWith("nanoff ", StringComparison.Ordinal)));
        foreach (var command in printed)
        {
            AssertNanoffOptions(command);
        }

        // nanoff's FileDeploymentConfiguration: SerialPort and Files of DestinationFilePath / SourceFilePath.
        using var deploy = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "deploy.json")));
        Assert.Equal("COM5", deploy.RootElement.GetProperty("SerialPort").GetString());
        var files = deploy.RootElement.GetProperty("Files").EnumerateArray().ToList();
        Assert.Equal(["I:\\citynode.conf", "I:\\board.conf", "I:\\ota.key"], files.Select(f => f.GetProperty("DestinationFilePath").GetString()));
        Assert.All(files, f => Assert.True(File.Exists(f.GetProperty("SourceFilePath").GetString())));
    }

    // docs/ota.md, two ways to deploy: a board with PSRAM and an 8 MB flash gets the loader image, and the
    // application goes to I:\app\ with the list the loader reads; the firebeetle above (no PSRAM) the application image.
    [Fact]
    public async Task A_board_that_takes_updates_gets_the_loader_image_and_the_application_on_its_drive()
    {
        string outDir = Path.Combine(_dir, "node43");
        var (exit, stdout, err) = await CliRunner.Run(["provision", "--board", "reference", "--node-id", "43", "--serial-port", "COM5", "--out", outDir]);
        Assert.True(exit == 0, err);
        var printed = stdout.Split('\n').Where(l => l.StartsWith("nanoff ", StringComparison.Ordinal)).ToList();
        Assert.Equal("nanoff --update --target ESP32_PSRAM_REV3 --serialport COM5 --deploy --image firmware/CityNode.Loader/bin/Release/CityNode.Loader.bin", printed[0]);
        foreach (var command in printed)
        {
            AssertNanoffOptions(command);
        }

        using var deploy = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "deploy.json")));
        var files = deploy.RootElement.GetProperty("Files").EnumerateArray()
            .ToDictionary(f => f.GetProperty("DestinationFilePath").GetString()!, f => f.GetProperty("SourceFilePath").GetString()!);
        Assert.Equal("firmware/CityNode.Esp32/bin/Release/CityNode.Esp32.pe", files[@"I:\app\CityNode.Esp32.pe"]);
        // The list names the file deployed beside it, in the loader's syntax (one name a line, # comments).
        var names = File.ReadAllLines(files[@"I:\app\files"]).Where(l => l.Length > 0 && l[0] != '#').ToList();
        Assert.Equal(["CityNode.Esp32.pe"], names);
        Assert.All(new[] { @"I:\citynode.conf", @"I:\board.conf", @"I:\ota.key" }, k => Assert.Contains(k, files.Keys));
    }

    [Fact]
    public void The_docs_flash_with_the_commands_provision_prints()
    {
        foreach (var doc in new[] { "docs/field-guide.md", "README.md" })
        {
            var lines = Repo.Read(doc).Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("nanoff --", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(lines);
            foreach (var line in lines)
            {
                AssertNanoffOptions(line.Split('#')[0].Trim());
            }

            Assert.Contains(lines, l => l.StartsWith("nanoff --update --target ESP32_REV3 --serialport COM5 --deploy --image " + NodeProvisioning.ApplicationImage, StringComparison.Ordinal));
        }
    }

    /// <summary>Options nanoff has (nanoFirmwareFlasher.Tool/Options.cs), each with a value or as a switch; --image needs --deploy to be the application.</summary>
    private static void AssertNanoffOptions(string command)
    {
        string[] switches = ["--update", "--deploy"];
        string[] valued = ["--target", "--serialport", "--image", "--filedeployment"];
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("nanoff", words[0]);
        for (int i = 1; i < words.Length; i++)
        {
            Assert.True(switches.Contains(words[i]) || valued.Contains(words[i]), $"'{words[i]}' in: {command}");
            if (valued.Contains(words[i]))
            {
                Assert.False(words[++i].StartsWith("--", StringComparison.Ordinal), command);
            }
        }

        if (words.Contains("--image"))
        {
            Assert.Contains("--deploy", words);
        }
    }

    // Item 13.
    [Theory]
    [InlineData("short", "--wifi-password: 5 characters: a WPA2 passphrase has 8 to 63")]
    [InlineData("trailing space ", "--wifi-password: starts or ends with a blank, which the config parser trims")]
    public async Task A_wifi_password_the_node_cannot_use_is_refused_without_echoing_it(string password, string message)
    {
        var (exit, stdout, err) = await Provision("--wifi-ssid", "CityNet", "--wifi-password", password);
        Assert.Equal(1, exit);
        Assert.Contains(message, err);
        Assert.DoesNotContain(password.Trim(), (stdout + err).Replace("--wifi-password", ""));
    }

    [Fact]
    public async Task A_newline_in_the_ssid_is_named_by_its_option_not_by_a_line_of_a_generated_file()
    {
        var (exit, _, err) = await Provision("--wifi-ssid", "City\nNet", "--wifi-password", "long enough");
        Assert.Equal(1, exit);
        Assert.Contains("provision: --wifi-ssid 'City\\nNet': control character (code 10)", err);
        Assert.DoesNotContain("line ", err);
    }

    [Fact]
    public async Task The_wifi_password_comes_from_a_file_or_the_environment_and_is_never_printed()
    {
        const string secret = "Wifi-from-file-93f1";
        string file = Path.Combine(_dir, "wifi.txt");
        File.WriteAllText(file, secret + "\n");
        string outDir = Path.Combine(_dir, "n");
        var (exit, stdout, err) = await Provision("--wifi-ssid", "CityNet", "--wifi-password-file", file, "--out", outDir);
        Assert.True(exit == 0, err);
        Assert.Equal(secret, NodeConfig.Parse(File.ReadAllText(Path.Combine(outDir, "citynode.conf"))).WifiPassword);
        Assert.DoesNotContain(secret, stdout + err);
        Assert.DoesNotContain("visible in ps", err);

        Environment.SetEnvironmentVariable("CITYNODE_WIFI_PASSWORD", "Wifi-from-env-51aa");
        try
        {
            var (e2, o2, err2) = await Provision("--wifi-ssid", "CityNet", "--out", outDir);
            Assert.True(e2 == 0, err2);
            Assert.Equal("Wifi-from-env-51aa", NodeConfig.Parse(File.ReadAllText(Path.Combine(outDir, "citynode.conf"))).WifiPassword);
            Assert.DoesNotContain("Wifi-from-env-51aa", o2 + err2);

            var (e3, _, err3) = await Provision("--wifi-ssid", "CityNet", "--wifi-password-file", file);
            Assert.Equal(1, e3);
            Assert.Contains("given more than once", err3);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CITYNODE_WIFI_PASSWORD", null);
        }

        var (e4, _, err4) = await Provision("--wifi-ssid", "CityNet", "--wifi-password", "on the line");
        Assert.Equal(0, e4);
        Assert.Contains("--wifi-password is visible in ps and the shell history", err4);
    }

    [Fact]
    public async Task Out_over_another_nodes_folder_needs_force()
    {
        string outDir = Path.Combine(_dir, "node41");
        Assert.Equal(0, (await CliRunner.Run("provision", "--board", "firebeetle-esp32e", "--node-id", "41", "--out", outDir)).Exit);
        string before = File.ReadAllText(Path.Combine(outDir, "citynode.conf"));

        var (exit, _, err) = await Provision("--out", outDir);
        Assert.Equal(1, exit);
        Assert.Contains($"--out {outDir}: holds node 41's citynode.conf (its MQTT password would be lost); choose another folder, or --force to replace it", err);
        Assert.Equal(before, File.ReadAllText(Path.Combine(outDir, "citynode.conf")));

        // The same node again (e.g. after the bench check) and --force are fine.
        Assert.Equal(0, (await CliRunner.Run("provision", "--board", "firebeetle-esp32e", "--node-id", "41", "--out", outDir)).Exit);
        Assert.Equal(0, (await Provision("--out", outDir, "--force")).Exit);
        Assert.Equal(42u, NodeConfig.Parse(File.ReadAllText(Path.Combine(outDir, "citynode.conf"))).NodeId);
    }

    [Fact]
    public async Task Out_where_nothing_can_be_written_is_a_user_error()
    {
        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        var (e1, _, err1) = await Provision("--out", file);
        Assert.Equal(1, e1);
        Assert.Contains("is a file", err1);

        var (e2, _, err2) = await Provision("--out", Path.Combine(file, "sub"));
        Assert.Equal(1, e2);
        Assert.Contains("cannot write there", err2);
        Assert.DoesNotContain("internal error", err2);
    }

    [Fact]
    public async Task Ca_problems_are_told_apart_and_mqtts_without_ca_is_warned()
    {
        var (e1, _, err1) = await Provision("--broker", "mqtts://b.example:8883", "--ca", Path.Combine(_dir, "missing.pem"));
        Assert.Equal(1, e1);
        Assert.Contains("missing.pem: no such file", err1);

        var (e2, _, err2) = await Provision("--broker", "mqtts://b.example:8883", "--ca", Conf("not a certificate"));
        Assert.Equal(1, e2);
        Assert.Contains("not a PEM certificate", err2);

        var (e3, _, err3) = await Provision("--broker", "mqtts://b.example:8883");
        Assert.Equal(0, e3);
        Assert.Contains("provision: warning: mqtts://b.example:8883 without --ca", err3);
    }

    // Item 2: the backend account the ACL grants is the one the docs use, and provision says how to create its password.
    [Fact]
    public async Task The_backend_account_is_one_name_in_the_acl_the_output_and_the_docs()
    {
        string outDir = Path.Combine(_dir, "b");
        var (exit, stdout, err) = await Provision("--out", outDir);
        Assert.True(exit == 0, err);
        Assert.Contains($"user {NodeProvisioning.BackendUser}\n", File.ReadAllText(Path.Combine(outDir, "mosquitto-backend.acl")));
        Assert.Contains($"mosquitto_passwd /etc/mosquitto/passwd {NodeProvisioning.BackendUser}", stdout);
        foreach (var doc in new[] { "docs/field-guide.md", "docs/receiver.md" })
        {
            // The user in every example URL of the broker (mqtts://USER[:...]@broker.city.example).
            var users = Regex.Matches(Repo.Read(doc), @"mqtts?://([A-Za-z0-9_-]+)(?::[^@\s]*)?@broker\.").Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(users);
            Assert.All(users, u => Assert.Equal(NodeProvisioning.BackendUser, u));
        }
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
