using System.Text.Json;
using CityNode.Host.Mqtt;
using CityNode.Host.Provisioning;
using CityNode.Host.Receiving;
using CityNode.Host.Stores;
using CityNode.Testing.Servers;
using CityNode.Tests.Cli;
using CityNode.Tests.Receiving;
using Microsoft.Data.Sqlite;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit;

namespace CityNode.Tests.Integration;

/// <summary>What a backend operator meets running receive and export against a real mosquitto (issue 14).</summary>
[Collection("cli")]
public sealed class ReceiverOperatorTests : IDisposable
{
    private const string BackendPassword = "backend-pw-7f3a";
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-operator-").FullName;
    private readonly LocalMosquitto _broker = new();

    private static async Task<long> StoredBatches(string db)
    {
        if (!File.Exists(db))
        {
            return 0;
        }

        await using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM batches";
        try
        {
            return (long)cmd.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0; // not created yet
        }
    }

    private static async Task WaitFor(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!await condition() && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
        }
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task Ctrl_C_and_SIGTERM_stop_receive_with_its_summary_and_json(string signal)
    {
        string db = Path.Combine(_dir, $"sig-{signal}.db");
        using var p = new CliProcess(_dir, null, "receive", "--broker", _broker.Url, "--db", db, "--client-id", "sig-" + signal, "--json");
        await p.WaitForErr("Ctrl+C to stop", TimeSpan.FromSeconds(30));
        await TestPublisher.PublishAsync(_broker.Port, Enumerable.Range(1, 3).Select(s => ("citynode/4/up", TestPayloads.Rich(4, (uint)s, 5))));
        await WaitFor(async () => await StoredBatches(db) == 3, TimeSpan.FromSeconds(20));

        p.Signal(signal);
        int exit = await p.ExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exit == 0, $"exit {exit}: {p.Err}");
        var summary = JsonDocument.Parse(p.Out).RootElement;
        Assert.Equal(3, summary.GetProperty("batches").GetInt64());
        Assert.Equal(0, summary.GetProperty("gaps").GetInt64());
    }

    [Fact]
    public async Task Off_a_terminal_receive_writes_no_progress_line_every_second()
    {
        Assert.True(Console.IsErrorRedirected, "the test host's stderr is not a terminal");
        var (exit, _, err) = await CliRunner.Run("receive", "--broker", _broker.Url, "--db", Path.Combine(_dir, "quiet.db"), "--client-id", "quiet", "--idle-exit", "4s");

        Assert.True(exit == 0, err);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length <= 2, "expected the start line and the summary only:\n" + err);
        Assert.DoesNotContain("/s),", err); // the live line's rate
        Assert.Contains("receive: stored 0 batches", err);
    }

    [Fact]
    public async Task Wrong_password_and_closed_port_are_user_errors_that_say_what_to_check()
    {
        File.WriteAllText(Path.Combine(_dir, "passwd"), MosquittoPassword.Line("backend", BackendPassword) + "\n");
        using var secured = new LocalMosquitto($"password_file {_dir}/passwd\n", anonymous: false);
        string wrong = $"mqtt://backend:guessed-pw@127.0.0.1:{secured.Port}";

        var (e1, _, err1) = await CliRunner.Run("receive", "--broker", wrong, "--db", Path.Combine(_dir, "a.db"), "--client-id", "wrong-pw");
        Assert.Equal(1, e1);
        Assert.Contains($"not authorised: check the user/password for mqtt://127.0.0.1:{secured.Port}", err1);
        Assert.DoesNotContain("guessed-pw", err1);
        Assert.DoesNotContain("internal error", err1);

        var (e2, _, err2) = await CliRunner.Run("configure", "--broker", wrong, "--node", "5", "sample=300s", "--no-wait");
        Assert.Equal(1, e2);
        Assert.Contains($"not authorised: check the user/password for mqtt://127.0.0.1:{secured.Port}", err2);

        int closed = FreePort.Next();
        var (e3, _, err3) = await CliRunner.Run("receive", "--broker", $"mqtt://127.0.0.1:{closed}", "--db", Path.Combine(_dir, "a.db"), "--client-id", "closed");
        Assert.Equal(1, e3);
        Assert.Contains($"no broker at 127.0.0.1:{closed}: connection refused", err3);

        var (e4, _, err4) = await CliRunner.Run("configure", "--broker", $"mqtt://127.0.0.1:{closed}", "--node", "5", "sample=300s", "--no-wait");
        Assert.Equal(1, e4);
        Assert.Contains($"no broker at 127.0.0.1:{closed}: connection refused", err4);
    }

    [Fact]
    public async Task The_broker_password_comes_from_a_file_or_the_environment_not_the_url()
    {
        File.WriteAllText(Path.Combine(_dir, "passwd"), MosquittoPassword.Line("backend", BackendPassword) + "\n");
        using var secured = new LocalMosquitto($"password_file {_dir}/passwd\n", anonymous: false);
        string url = $"mqtt://backend@127.0.0.1:{secured.Port}";
        string file = Path.Combine(_dir, "broker.pw");
        File.WriteAllText(file, BackendPassword + "\n");

        var (e1, _, err1) = await CliRunner.Run("receive", "--broker", url, "--password-file", file, "--db", Path.Combine(_dir, "pw.db"), "--client-id", "pw-file", "--idle-exit", "1s");
        Assert.True(e1 == 0, err1);
        Assert.DoesNotContain(BackendPassword, err1);

        using var fromEnv = new CliProcess(_dir, new Dictionary<string, string> { [BrokerCredentials.PasswordVariable] = BackendPassword },
            "receive", "--broker", url, "--db", Path.Combine(_dir, "pw.db"), "--client-id", "pw-env", "--idle-exit", "1s");
        Assert.True(await fromEnv.ExitAsync(TimeSpan.FromSeconds(60)) == 0, fromEnv.Err);

        var (e3, _, err3) = await CliRunner.Run("receive", "--broker", $"mqtt://backend:x@127.0.0.1:{secured.Port}", "--password-file", file, "--db", Path.Combine(_dir, "pw.db"));
        Assert.Equal(1, e3);
        Assert.Contains("give it in one place", err3);
    }

    [Fact]
    public async Task Two_receivers_without_client_id_on_one_host_both_keep_their_sessions()
    {
        string dbA = Path.Combine(_dir, "two-a.db");
        string dbB = Path.Combine(_dir, "two-b.db");
        using var a = new CliProcess(_dir, null, "receive", "--broker", _broker.Url, "--db", dbA, "--json");
        await a.WaitForErr("Ctrl+C to stop", TimeSpan.FromSeconds(30));
        using var b = new CliProcess(_dir, null, "receive", "--broker", _broker.Url, "--db", dbB, "--json");
        await b.WaitForErr("Ctrl+C to stop", TimeSpan.FromSeconds(30));

        await TestPublisher.PublishAsync(_broker.Port, Enumerable.Range(1, 5).Select(s => ("citynode/8/up", TestPayloads.Rich(8, (uint)s, 4))));
        await WaitFor(async () => await StoredBatches(dbA) == 5 && await StoredBatches(dbB) == 5, TimeSpan.FromSeconds(20));
        await Task.Delay(3000); // a ping-pong of one client id shows within a few reconnects
        a.Signal("TERM");
        b.Signal("TERM");
        int exitA = await a.ExitAsync(TimeSpan.FromSeconds(30));
        int exitB = await b.ExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitA == 0 && exitB == 0, a.Err + b.Err);
        Assert.DoesNotContain("reconnected", a.Err + b.Err);
        Assert.Equal(5, JsonDocument.Parse(a.Out).RootElement.GetProperty("batches").GetInt64());
        Assert.Equal(5, JsonDocument.Parse(b.Out).RootElement.GetProperty("batches").GetInt64());
    }

    [Fact]
    public async Task A_receiver_whose_client_id_another_takes_exits_with_a_message()
    {
        using var a = new CliProcess(_dir, null, "receive", "--broker", _broker.Url, "--db", Path.Combine(_dir, "dup-a.db"), "--client-id", "dup");
        await a.WaitForErr("Ctrl+C to stop", TimeSpan.FromSeconds(30));
        using var b = new CliProcess(_dir, null, "receive", "--broker", _broker.Url, "--db", Path.Combine(_dir, "dup-b.db"), "--client-id", "dup");

        // They take the session from each other in turn until one gives up.
        var exitA = a.ExitAsync(TimeSpan.FromSeconds(60));
        var exitB = b.ExitAsync(TimeSpan.FromSeconds(60));
        var first = await Task.WhenAny(exitA, exitB);
        int exit = await first;
        var stayed = first == exitA ? b : a;

        Assert.Equal(1, exit);
        string err = a.Err + b.Err;
        Assert.Contains("another client connected as dup", err);
        Assert.Contains("give each receiver its own --client-id", err);
        stayed.Signal("TERM");
        Assert.Equal(0, await (first == exitA ? exitB : exitA));
    }

    [Fact]
    public async Task With_a_group_json_gaps_count_what_the_database_lacks_not_the_other_members_share()
    {
        string db = Path.Combine(_dir, "group.db");
        new SqliteStore(db).Dispose(); // both members open an existing database
        using var a = new CliProcess(_dir, null, "receive", "--broker", _broker.Url, "--db", db, "--group", "g", "--client-id", "g-a", "--json", "--idle-exit", "3s");
        using var b = new CliProcess(_dir, null, "receive", "--broker", _broker.Url, "--db", db, "--group", "g", "--client-id", "g-b", "--json", "--idle-exit", "3s");
        await a.WaitForErr("Ctrl+C to stop", TimeSpan.FromSeconds(30));
        await b.WaitForErr("Ctrl+C to stop", TimeSpan.FromSeconds(30));

        await TestPublisher.PublishAsync(_broker.Port, Enumerable.Range(1, 20).Select(s => ("citynode/3/up", TestPayloads.Rich(3, (uint)s, 4))));
        Assert.True(await a.ExitAsync(TimeSpan.FromSeconds(60)) == 0, a.Err);
        Assert.True(await b.ExitAsync(TimeSpan.FromSeconds(60)) == 0, b.Err);

        var sa = JsonDocument.Parse(a.Out).RootElement;
        var sb = JsonDocument.Parse(b.Out).RootElement;
        Assert.Equal(20, sa.GetProperty("batches").GetInt64() + sb.GetProperty("batches").GetInt64());
        Assert.True(sa.GetProperty("batches").GetInt64() > 0 && sb.GetProperty("batches").GetInt64() > 0, "the group split the batches");
        Assert.Equal(0, sa.GetProperty("gaps").GetInt64());
        Assert.Equal(0, sb.GetProperty("gaps").GetInt64());
    }

    [Fact]
    public async Task A_retained_message_on_an_up_topic_is_not_rejected_again_at_every_reconnect()
    {
        using (var client = new MqttClientFactory().CreateMqttClient())
        {
            await client.ConnectAsync(MqttClientSetup.Loopback(_broker.Port, "retained-publisher").Build());
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("citynode/5/up").WithPayload(new byte[] { 0xC1, 0, 1 })
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
            await client.DisconnectAsync();
        }

        var sink = new MemorySink();
        var r = new Receiver(BrokerAddress.Parse(_broker.Url), sink, clientId: "retained");
        await r.StartAsync();
        for (int i = 0; i < 3; i++)
        {
            await r.PauseAsync();
            await r.EnsureConnectedAsync();
        }

        await TestPublisher.PublishAsync(_broker.Port, [("citynode/5/up", TestPayloads.Rich(5, 1, 3))]);
        await TestPublisher.WaitUntil(() => r.Stats.Batches == 1, TimeSpan.FromSeconds(10));
        await r.DisposeAsync();

        Assert.Equal(1, r.Stats.Batches);
        Assert.Equal(0, r.Stats.Rejected);
    }

    [Fact]
    public async Task Export_without_db_refuses_a_missing_default_database_and_creates_none()
    {
        string empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        var (exit, output, err) = await CliProcess.Run(empty, "export", "--senml");

        Assert.Equal(1, exit);
        Assert.Contains("no --db given and no citynode.db", err);
        Assert.Equal("", output.Trim());
        Assert.False(File.Exists(Path.Combine(empty, "citynode.db")));
    }

    [Fact]
    public async Task Export_says_how_many_fault_readings_it_left_out_and_overwrites_nothing_without_force()
    {
        string db = Path.Combine(_dir, "faults.db");
        var batches = Enumerable.Range(1, 3).Select(s => ReceivedBatch.Decode(TestPayloads.Rich(2, (uint)s, 6), DateTimeOffset.UtcNow)).ToList();
        using (var store = new SqliteStore(db))
        {
            store.Store(batches);
        }

        long withoutValue = batches.SelectMany(Reading.From).Count(r => r.Value is null);
        Assert.True(withoutValue > 0);
        string json = Path.Combine(_dir, "out.json");
        var (exit, _, err) = await CliRunner.Run("export", "--senml", "--db", db, "--out", json);
        Assert.True(exit == 0, err);
        Assert.Contains($"{withoutValue} fault or invalid readings left out", err);

        var (again, _, errAgain) = await CliRunner.Run("export", "--senml", "--db", db, "--out", json);
        Assert.Equal(1, again);
        Assert.Contains("--force", errAgain);
        var (forced, _, _) = await CliRunner.Run("export", "--senml", "--db", db, "--out", json, "--force");
        Assert.Equal(0, forced);

        var (missingDir, _, errDir) = await CliRunner.Run("export", "--senml", "--db", db, "--out", Path.Combine(_dir, "no", "such", "x.json"));
        Assert.Equal(1, missingDir);
        Assert.Contains("does not exist", errDir);
    }

    public void Dispose()
    {
        _broker.Dispose();
        Directory.Delete(_dir, true);
    }
}
