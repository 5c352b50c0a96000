using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using CityNode.Host.Stores;

namespace CityNode.Cli.Commands;

/// <summary>
/// <c>citynode receive</c>: subscribe, decode, deduplicate, store. Exit codes (docs/receiver.md):
/// 0 stopped (Ctrl+C, SIGTERM, --idle-exit), 1 bad input, broker or database refused, or another
/// client took the session; 70 an internal error.
/// </summary>
internal static class ReceiveCommand
{
    /// <summary>Off a terminal (a service, a pipe) progress is a log line at this interval instead of a live line per second.</summary>
    private static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);

    public static Command Create()
    {
        var broker = new Option<string>("--broker") { Description = "broker URL: mqtt://[user@]host[:port] or mqtts://...", DefaultValueFactory = _ => "mqtt://127.0.0.1:1883" };
        var passwordFile = Stores.BrokerPasswordFile();
        var db = Stores.SqlitePath();
        var postgres = Stores.Postgres();
        var postgresPassword = Stores.PostgresPasswordFile();
        var group = new Option<string?>("--group") { Description = "join this MQTT 5 shared-subscription group: receivers of one group split the load" };
        var ca = new Option<string?>("--ca") { Description = "CA certificate (PEM) that signed an mqtts:// broker's certificate" };
        var clientId = new Option<string?>("--client-id")
        {
            Description = "MQTT client id; a restarted receiver with the same id resumes its session and gets what was queued for it " +
                "(default: citynode-receiver-HOST-GROUP, then -2, -3... for more receivers running on this host)",
        };
        var expiry = Options.Duration("--session-expiry",
            "how long the broker keeps queueing for this receiver while it is away; in a group it keeps handing an absent member its share",
            TimeSpan.FromDays(1));
        var idleExit = Options.Duration("--idle-exit", "stop after this long without a message (default: run until Ctrl+C or SIGTERM)");
        var json = Options.Json();
        var command = new Command("receive", "Subscribe to nodes' telemetry, decode, deduplicate and store readings and diagnostics")
        {
            broker, passwordFile, db, postgres, postgresPassword, group, ca, clientId, expiry, idleExit, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            BrokerAddress address;
            MQTTnet.MqttClientTlsOptions? tls;
            try
            {
                address = BrokerCredentials.Resolve(BrokerAddress.Parse(parse.GetValue(broker)!), parse.GetValue(passwordFile));
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
                store = TelemetryStores.Open(parse.GetValue(db), parse.GetValue(postgres), parse.GetValue(postgresPassword));
            }
            catch (StoreException e)
            {
                await Console.Error.WriteLineAsync("receive: " + e.Message);
                return 1;
            }

            using var _ = store;
            using var identity = parse.GetValue(clientId) is null ? ReceiverIdentity.Claim(groupName) : null;
            string id = parse.GetValue(clientId) ?? identity!.ClientId;

            // Ctrl+C and SIGTERM (a service manager's stop) end the run the same way: commit, summary, exit 0.
            // A second one ends the process at once.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => StopOnce(c, stop));
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => StopOnce(c, stop));

            bool asJson = parse.GetValue(json);
            bool live = !asJson && !Console.IsErrorRedirected;
            string lineStart = live ? "\r\u001b[K" : ""; // a log line replaces the live line, which the next tick writes again
            var receiver = new Receiver(address, store, groupName, id)
            {
                SessionExpiry = parse.GetValue(expiry),
                Tls = tls,
                Log = line => Console.Error.WriteLine(lineStart + "receive: " + line),
            };
            try
            {
                await receiver.StartAsync(stop.Token);
            }
            catch (BrokerException e)
            {
                await Console.Error.WriteLineAsync("receive: " + e.Message);
                await receiver.DisposeAsync();
                return 1;
            }
            catch (OperationCanceledException)
            {
                await receiver.DisposeAsync();
                return 0;
            }

            string where = store is PostgresStore ? "PostgreSQL" : ((SqliteStore)store).Path;
            await Console.Error.WriteLineAsync($"receive: {address} {receiver.Filter} as {id} → {where} (Ctrl+C to stop)");
            TimeSpan idle = parse.GetValue(idleExit);
            long lastReadings = 0;
            var lastLog = DateTime.UtcNow;
            int exit = 0;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(1000, stop.Token);
                    if (receiver.TakenOver)
                    {
                        await Console.Error.WriteLineAsync($"{lineStart}receive: another client connected as {receiver.ClientId} and took this receiver's session " +
                            "(or the broker keeps closing the connection); give each receiver its own --client-id");
                        exit = 1;
                        break;
                    }

                    if (!receiver.IsConnected)
                    {
                        try
                        {
                            await receiver.EnsureConnectedAsync(stop.Token);
                            await Console.Error.WriteLineAsync(lineStart + "receive: reconnected");
                        }
                        catch (BrokerException e)
                        {
                            await Console.Error.WriteLineAsync($"{lineStart}receive: {e.Message}; retrying");
                        }
                    }

                    var s = receiver.Stats;
                    if (live)
                    {
                        await Console.Error.WriteAsync(
                            $"\r  {s.Batches} batches, {s.Readings} readings ({s.Readings - lastReadings}/s), {s.DuplicatesSuppressed} duplicates, " +
                            $"{s.Rejected} rejected, {receiver.Uncommitted} uncommitted, {s.Nodes.Count} nodes ");
                    }
                    else if (DateTime.UtcNow - lastLog >= LogInterval)
                    {
                        lastLog = DateTime.UtcNow;
                        await Console.Error.WriteLineAsync(
                            $"receive: {s.Batches} batches, {s.Readings} readings, {s.DuplicatesSuppressed} duplicates, {s.Rejected} rejected, {s.Nodes.Count} nodes so far");
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
                // Ctrl+C or SIGTERM: commit what arrived, then the summary.
            }

            if (live)
            {
                await Console.Error.WriteLineAsync();
            }

            await receiver.DisposeAsync();
            var st = receiver.Stats;
            double activeSeconds = st.ActiveTime.TotalSeconds;
            // In a group the other members store part of every node's batches: count against the shared database.
            long gaps = groupName is null ? st.Gaps : st.GapsIn(store.CountBatches);
            var summary = new
            {
                batches = st.Batches,
                readings = st.Readings,
                duplicates = st.DuplicatesSuppressed,
                rejected = st.Rejected,
                last_rejection = st.LastRejection,
                nodes = st.Nodes.Count,
                gaps,
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
                    $"{st.DuplicatesSuppressed} duplicates dropped, {st.Rejected} rejected" + (gaps > 0 ? $", {gaps} batches missing" : "") +
                    $"; {summary.readings_per_second} readings/s while active");
            }

            return exit;
        });
        return command;
    }

    private static void StopOnce(PosixSignalContext context, CancellationTokenSource stop)
    {
        context.Cancel = !stop.IsCancellationRequested;
        stop.Cancel();
    }
}
