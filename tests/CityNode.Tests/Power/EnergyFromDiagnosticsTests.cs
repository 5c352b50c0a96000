using System.Text.Json;
using CityNode.Tests.Cli;
using Xunit;

namespace CityNode.Tests.Power;

/// <summary>energy --from: simulated nodes report their time through the same diagnostics as devices, and they add up.</summary>
[Collection("cli")]
public sealed class EnergyFromDiagnosticsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-energy-").FullName;

    [Fact]
    public async Task Reported_phase_times_cover_the_whole_run_and_agree_with_the_model()
    {
        string db = Path.Combine(_dir, "sim.db");
        var (simExit, _, simErr) = await CliRunner.Run("simulate", "--nodes", "3", "--duration", "1d", "--db", db, "--json");
        Assert.True(simExit == 0, simErr);

        var (exit, output, err) = await CliRunner.Run("energy", "--from", db, "--board", "reference", "--channels", "6", "--sample", "60", "--publish", "15m", "--json");
        Assert.True(exit == 0, err);
        var r = JsonDocument.Parse(output).RootElement;

        // Three nodes for a day: the diagnostics account for every millisecond but the last, unpublished window.
        double hours = r.GetProperty("covered_hours").GetDouble();
        Assert.InRange(hours, 72 - (3 * 0.25) - 0.1, 72.05);
        Assert.Equal(3, r.GetProperty("nodes").GetArrayLength());
        // The reported phase times, charged as the energy model charges them (waits at idle_ua: the
        // device waits in Thread.Sleep), agree with the twin's ledger of the same program.
        double measured = r.GetProperty("avg_ma").GetDouble();
        Assert.InRange(r.GetProperty("measured_over_model").GetDouble(), 0.9, 1.1);
        // BME280 + SDS011 + SCD41: the sensors' own ~21 mA is the same under any policy; the rest is not.
        double sensors = r.GetProperty("breakdown_ma").GetProperty("sensors").GetDouble();
        Assert.True(measured - sensors < (r.GetProperty("baselines").GetProperty("esphome_style").GetDouble() - sensors) / 4);
        Assert.True(r.GetProperty("days").GetDouble() > 0);
    }

    [Fact]
    public async Task A_missing_or_empty_database_is_refused_with_the_reason()
    {
        var (e1, _, err1) = await CliRunner.Run("energy", "--from", Path.Combine(_dir, "none.db"));
        Assert.Equal(1, e1);
        Assert.Contains("none.db: no such file", err1);

        string empty = Path.Combine(_dir, "empty.db");
        new CityNode.Host.Stores.SqliteStore(empty).Dispose();
        var (e2, _, err2) = await CliRunner.Run("energy", "--from", empty);
        Assert.Equal(1, e2);
        Assert.Contains("no batch in the database carries time diagnostics", err2);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
