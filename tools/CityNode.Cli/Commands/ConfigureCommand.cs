using System.CommandLine;
using CityNode.Config;
using CityNode.Host.Mqtt;
using CityNode.Host.Provisioning;
using CityNode.Host.Receiving;
using CityNode.Telemetry;
using MQTTnet;

namespace CityNode.Cli.Commands;

/// <summary>
/// <c>citynode configure</c>: publishes a node's new retained configuration and waits for the node
/// to report, in the diagnostics of its telemetry, that it applied the version or why it refused it.
/// Exit codes (the CLI's: 0 ok, 1 the user's to fix, 70 a bug): 0 applied (or published, with --no-wait); 1 bad input,
/// broker trouble, refused by the node, or no answer in time (the last line says which).
/// </summary>
internal static class ConfigureCommand
{
    public static Command Create()
    {
        var broker = new Option<string>("--broker") { Description = "broker URL with the backend account: mqtts://backend@host:8883 (password: --password-file)", Required = true };
        var node = Options.NodeId("--node", $"the node's id (its topics are {Topics.For("ID", "...")})");
        var settings = new Argument<string[]>("settings") { Description = $"KEY=VALUE... ({ConfigKeyTable.RemoteHelp()})", Arity = ArgumentArity.ZeroOrMore };
        var unset = new Option<string[]>("--unset") { Description = "KEY: leave this key out of the new document, so the node goes back to its provisioned value (repeatable)" };
        var provisioned = new Option<string?>("--config") { Description = "the node's provisioned citynode.conf (from provision --out): values are checked against its wiring, and carried keys equal to it are dropped" };
        var timeout = Options.Duration("--timeout", "how long to wait for the node's answer (it comes at its next connection)", TimeSpan.FromMinutes(20));
        var noWait = new Option<bool>("--no-wait") { Description = "publish and exit without waiting for the node" };
        var force = new Option<bool>("--force") { Description = "publish even if the values look invalid without the node's own config (the node decides)" };
        var ca = new Option<string?>("--ca") { Description = "CA certificate (PEM) of an mqtts:// broker" };
        var passwordFile = Stores.BrokerPasswordFile();
        var command = new Command("configure", "Change a sleeping node's configuration through its retained config topic, and wait until it applies or refuses it")
        {
            broker, node, settings, unset, provisioned, timeout, noWait, force, ca, passwordFile,
        };
        command.SetAction(async (parse, ct) =>
        {
            uint id = parse.GetValue(node);
            BrokerAddress address;
            ConfigChange change;
            NodeConfig? nodeFile = null;
            MqttClientTlsOptions? tls;
            try
            {
                change = ConfigChange.Parse(parse.GetValue(settings) ?? [], parse.GetValue(unset) ?? []);
                if (parse.GetValue(provisioned) is string path)
                {
                    nodeFile = ConfigChange.LoadProvisioned(path, id);
                }

                if (!parse.GetValue(force))
                {
                    // The new values alone, before connecting (again with the carried ones once the current document is read).
                    try
                    {
                        change.Validate(id, change.NextDocument(null, nodeFile, 2, out _), nodeFile);
                    }
                    catch (FormatException e)
                    {
                        throw new FormatException($"not sent: {e.Message} (--force sends it anyway; the node checks it against its own config)");
                    }
                }

                address = BrokerCredentials.Resolve(BrokerAddress.Parse(parse.GetValue(broker)!), parse.GetValue(passwordFile));
                tls = MqttTls.For(address, parse.GetValue(ca));
            }
            catch (FormatException e)
            {
                await Console.Error.WriteLineAsync("configure: " + e.Message);
                return 1;
            }

            using var client = new MqttClientFactory().CreateMqttClient();
            var options = MqttClientSetup.Options(address, "citynode-configure-" + Guid.NewGuid().ToString("N")[..8], tls);
            try
            {
                await BrokerConnection.ConnectAsync(client, options.Build(), address, ct);
            }
            catch (BrokerException e)
            {
                await Console.Error.WriteLineAsync("configure: " + e.Message);
                return 1;
            }

            // Watch the node's telemetry before publishing, so an answer cannot slip past.
            var answers = System.Threading.Channels.Channel.CreateUnbounded<ReceivedBatch>();
            client.ApplicationMessageReceivedAsync += e =>
            {
                if (e.ApplicationMessage.Topic == Topics.Telemetry(id))
                {
                    try
                    {
                        answers.Writer.TryWrite(ReceivedBatch.Decode(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload), DateTimeOffset.UtcNow));
                    }
                    catch (PayloadException)
                    {
                        // Not ours to judge here: the receiver logs it.
                    }
                }

                return Task.CompletedTask;
            };

            string? current = await ConfigTopic.ReadRetainedAsync(client, id, TimeSpan.FromSeconds(2), ct);
            int version = Math.Max(ConfigTopic.VersionOf(current), 1) + 1; // provisioning writes version 1
            string document = change.NextDocument(current, nodeFile, version, out var carried);
            if (!parse.GetValue(force))
            {
                try
                {
                    change.Validate(id, document, nodeFile);
                }
                catch (FormatException e)
                {
                    await Console.Error.WriteLineAsync($"configure: not sent: {e.Message} (--force sends it anyway; the node checks it against its own config)");
                    return 1;
                }
            }

            if (!parse.GetValue(noWait))
            {
                await client.SubscribeAsync(Topics.Telemetry(id), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtMostOnce, ct);
            }

            var published = await client.PublishAsync(ConfigTopic.Message(id, document), ct);
            if (!published.IsSuccess)
            {
                await Console.Error.WriteLineAsync($"configure: the broker refused the config for node {id}: {published.ReasonCode} (does this account may write {Topics.Config(id)}?)");
                return 1;
            }

            Console.WriteLine($"published version {version} to {Topics.Config(id)} (retained):");
            Console.Write(string.Concat(document.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "  " + l + "\n")));
            if (carried.Count > 0)
            {
                Console.WriteLine($"  (carried from version {ConfigTopic.VersionOf(current)}: {string.Join(", ", carried)}; --unset KEY drops one)");
            }
            if (parse.GetValue(noWait))
            {
                return 0;
            }

            TimeSpan wait = parse.GetValue(timeout);
            Console.WriteLine($"waiting up to {ValueParser.FormatDuration((long)wait.TotalSeconds)} for node {id} to connect and report it…");
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(wait);
            try
            {
                while (true)
                {
                    var b = await answers.Reader.ReadAsync(deadline.Token);
                    long applied = b.Diagnostic("config_version") ?? 0;
                    long refused = b.Diagnostic("config_rejected_version") ?? -1;
                    if (applied >= version)
                    {
                        Console.WriteLine($"node {id} applied version {version} (batch {b.Sequence})");
                        return 0;
                    }

                    if (refused == version || (refused == 0 && b.DiagnosticsText?.StartsWith("config:", StringComparison.Ordinal) == true))
                    {
                        Console.WriteLine($"node {id} refused version {version}: {b.DiagnosticsText?["config: ".Length..]}; it keeps version {applied}");
                        return 1;
                    }

                    Console.WriteLine($"  batch {b.Sequence} from node {id}: still on version {applied}");
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Console.WriteLine($"no answer from node {id} within {ValueParser.FormatDuration((long)wait.TotalSeconds)}: the document stays retained and the node applies it at its next connection");
                return 1;
            }
        });
        NodeRegistryOptions.AttachTo(command, "--node");
        return command;
    }
}
