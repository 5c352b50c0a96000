using System.CommandLine;
using System.Text.Json;
using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using CityNode.Host.Stores;

namespace CityNode.Cli.Commands;

/// <summary><c>citynode receive</c>: subscribe, decode, deduplicate, store.</summary>
internal static class ReceiveCommand
{
    public static Command Create()
    {
        var broker = new Option<string>("--broker") { Description = "broker URL: mqtt://[user[:password]@]host[:port] or mqtts://...", DefaultValueFactory = _ => "mqtt://127.0.0.1:1883" };
        var db = Stores.SqlitePath();
        var postgres = Stores.Postgres();
        var group = new Option<string?>("--group") { Description = "join this MQTT 5 shared-subscription group: receivers of one group split the load" };
        var ca = new Option<string?>("--ca") { Description = "CA certificate (PEM) that signed an mqtts:// broker's certificate" };
        var clientId = new Option<string?>("--client-id")
        {
            Description = "MQTT client id; a restarted receiver with the same id resumes its session and gets what was queued for it " +
                "(default: citynode-receiver-HOST-GROUP; two receivers of one group on one host need their own)",
        };
        var expiry = Options.Duration("--session-expiry",
            "how long the broker keeps queueing for this receiver while it is away; in a group it keeps handing an absent member its share",
            TimeSpan.FromDays(1));
        var idleExit = Options.Duration("--idle-exit", "stop after this long without a message (default: run until Ctrl+C)");
        var json = Options.Json();
        var command = new Command("receive", "Subscribe to nodes' telemetry, decode, deduplicate and store readings and diagnostics")
        {
            broker, db, postgres, group, ca, clientId, expiry, idleExit, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            BrokerAddress address;
            MQTTnet.MqttClientTlsOptions? tls;
            try
            {
                address = BrokerAddress.Parse(parse.GetValue(broker)!);
                tls = MqttTls.For(address, parse.GetValue(ca));
            }
            catch (FormatException e)
            {
                await Console.Error.WriteLineAsync("receive: " + e.Message);
                return 1;
            }

            string? groupName = parse.GetValue(group);
            if (groupName is not null && (groupName.Length == 0 || groupName.IndexOfAny(['/', '+', '#']) >= 0))
            {
                await Console.Error.WriteLineAsync($"receive: --group '{groupName}': a group name must be non-empty without '/', '+' or '#'");
                return 1;
            }

            ITelemetryStore store;
            try
            {
                store = TelemetryStores.Open(parse.GetValue(db), parse.GetValue(postgres));
            }
            catch (StoreException e)
            {
                await Console.Error.WriteLineAsync("receive: " + e.Message);
                return 1;
            }

            using var _ = store;
            string id = parse.GetValue(clientId) ?? $"citynode-receiver-{Environment.MachineName}-{groupName ?? "all"}";
            var receiver = new Receiver(address, store, groupName, id)
            {
                SessionExpiry = parse.GetValue(expiry),
                Tls = tls,
                Log = line => Console.Error.WriteLine("receive: " + line),
            };
            try
            {
                await receiver.StartAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"receive: cannot subscribe at {address}: {e.Message}");
                await receiver.DisposeAsync();
                return 1;
            }

            bool asJson = parse.GetValue(json);
            string where = store is PostgresStore ? "PostgreSQL" : ((SqliteStore)store).Path;
            await Console.Error.WriteLineAsync($"receive: {address} {receiver.Filter} → {where} (Ctrl+C to stop)");
            TimeSpan idle = parse.GetValue(idleExit);
            long lastReadings = 0;
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    await Task.Delay(1000, ct);
                    if (!receiver.IsConnected && receiver.LastDisconnectReason == MQTTnet.MqttClientDisconnectReason.SessionTakenOver)
                    {
                        await Console.Error.WriteLineAsync($"receive: another client connected as {receiver.ClientId}; give each receiver its own --client-id");
                        await receiver.DisposeAsync();
                        return 1;
                    }

                    if (!receiver.IsConnected)
                    {
                        try
                        {
                            await receiver.EnsureConnectedAsync(ct);
                            await Console.Error.WriteLineAsync("receive: reconnected");
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            await Console.Error.WriteLineAsync($"receive: broker unreachable ({e.Message}); retrying");
                        }
                    }

                    var s = receiver.Stats;
                    if (!asJson)
                    {
                        await Console.Error.WriteLineAsync(
                            $"  {s.Batches} batches, {s.Readings} readings ({s.Readings - lastReadings}/s), {s.DuplicatesSuppressed} duplicates, " +
                            $"{s.Rejected} rejected, {receiver.Uncommitted} uncommitted, {s.Nodes.Count} nodes");
                    }

                    lastReadings = s.Readings;
                    if (idle > TimeSpan.Zero && receiver.Idle >= idle && receiver.Uncommitted == 0)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: commit what arrived, then exit.
            }

            await receiver.DisposeAsync();
            var st = receiver.Stats;
            double activeSeconds = st.ActiveTime.TotalSeconds;
            var summary = new
            {
                batches = st.Batches,
                readings = st.Readings,
                duplicates = st.DuplicatesSuppressed,
                rejected = st.Rejected,
                nodes = st.Nodes.Count,
                gaps = st.Gaps,
                store_failures = receiver.StoreFailures,
                active_seconds = Math.Round(activeSeconds, 3),
                readings_per_second = activeSeconds > 0 ? Math.Round(st.Readings / activeSeconds) : 0, // first to last stored batch
            };
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                await Console.Error.WriteLineAsync($"receive: stored {st.Batches} batches, {st.Readings} readings from {st.Nodes.Count} nodes; " +
                    $"{st.DuplicatesSuppressed} duplicates dropped, {st.Rejected} rejected; {summary.readings_per_second} readings/s while active");
            }

            return 0;
        });
        return command;
    }
}
