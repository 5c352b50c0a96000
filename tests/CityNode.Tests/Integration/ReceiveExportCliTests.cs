using System.Text.Json;
using CityNode.Host.Receiving;
using CityNode.Testing.Servers;
using CityNode.Tests.Cli;
using CityNode.Tests.Receiving;
using Xunit;

namespace CityNode.Tests.Integration;

[Collection("cli")]
public sealed class ReceiveExportCliTests : IDisposable
{
    private readonly LocalMosquitto _broker = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-cli-recv-").FullName;

    [Fact]
    public async Task Receive_resumes_its_session_stores_into_sqlite_and_export_writes_the_same_senml()
    {
        string db = Path.Combine(_dir, "city.db");
        string[] receive = ["receive", "--broker", _broker.Url, "--db", db, "--client-id", "cli-recv", "--idle-exit", "1s", "--json"];

        // First run: creates the persistent session and its subscription, and stops when idle.
        var (exit0, _, err0) = await CliRunner.Run(receive);
        Assert.True(exit0 == 0, err0);

        // Nodes publish while no receiver runs: the broker queues for the session.
        var payloads = Enumerable.Range(1, 6).SelectMany(n => Enumerable.Range(1, 4).Select(s => ((uint)n, (uint)s))).ToList();
        await TestPublisher.PublishAsync(_broker.Port, payloads.Select(p => ($"citynode/{p.Item1}/up", TestPayloads.Rich(p.Item1, p.Item2, 8))));

        var (exit, output, err) = await CliRunner.Run(receive);
        Assert.True(exit == 0, err);
        var summary = JsonDocument.Parse(output).RootElement;
        Assert.Equal(24, summary.GetProperty("batches").GetInt64());
        Assert.Equal(0, summary.GetProperty("rejected").GetInt64());

        var (exitExport, senml, errExport) = await CliRunner.Run("export", "--senml", "--db", db);
        Assert.True(exitExport == 0, errExport);
        var expected = Senml.ToJson(payloads.Select(p => ReceivedBatch.Decode(TestPayloads.Rich(p.Item1, p.Item2, 8), DateTimeOffset.UnixEpoch)));
        Assert.Equal(SenmlResolver.Resolve(expected), SenmlResolver.Resolve(senml));
        Assert.Contains($"{SenmlResolver.Resolve(expected).Count} SenML records", errExport);

        var (_, oneNode, _) = await CliRunner.Run("export", "--senml", "--db", db, "--node", "3");
        Assert.All(SenmlResolver.Resolve(oneNode), r => Assert.StartsWith("urn:dev:citynode:3:", r.Name));
    }

    [Fact]
    public async Task Bad_arguments_are_refused_by_name()
    {
        var (e1, _, err1) = await CliRunner.Run("receive", "--broker", "http://x", "--db", Path.Combine(_dir, "x.db"));
        Assert.Equal(1, e1);
        Assert.Contains("'http://x' is not a broker URL", err1);

        var (e2, _, err2) = await CliRunner.Run("export", "--db", Path.Combine(_dir, "x.db"));
        Assert.Equal(1, e2);
        Assert.Contains("--senml", err2);

        var (e3, _, err3) = await CliRunner.Run("export", "--senml", "--db", Path.Combine(_dir, "missing.db"));
        Assert.Equal(1, e3);
        Assert.Contains("missing.db: no such file", err3);

        var (e4, _, err4) = await CliRunner.Run("receive", "--broker", _broker.Url, "--db", Path.Combine(_dir, "y.db"), "--postgres", "Host=x");
        Assert.Equal(1, e4);
        Assert.Contains("not both", err4);

        var (e5, _, err5) = await CliRunner.Run("export", "--senml", "--db", Path.Combine(_dir, "x.db"), "--since", "yesterday");
        Assert.Equal(1, e5);
        Assert.Contains("--since 'yesterday'", err5);
    }

    public void Dispose()
    {
        _broker.Dispose();
        Directory.Delete(_dir, true);
    }
}
