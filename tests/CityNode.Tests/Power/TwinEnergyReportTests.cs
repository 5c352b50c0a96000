using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Host.Reports;
using CityNode.Host.SimulatedHal;
using CityNode.NanoTwin;
using CityNode.Power;
using Xunit;

namespace CityNode.Tests.Power;

/// <summary>
/// citynode energy measured on the twin: the ESP32 program runs on the nanoFramework twin with simulated
/// chips for the workload's sensors and an embedded broker; its board's ledger is charged at the
/// board's currents. These tests check the figures against the ledger and the policy against its peers.
/// </summary>
public class TwinEnergyReportTests
{
    private static BoardProfile Reference => BoardProfile.Parse(File.ReadAllText(Path.Combine(Paths.Root, "boards", "reference.board")));

    private static readonly string[] States =
        { "boot", "cpu_il", "flash", "cpu_active", "cpu_idle", "wifi_started", "wifi_connecting", "wifi_associated", "light_sleep", "deep_sleep", "sensors" };

    [Theory]
    [InlineData(1, "scd41")]
    [InlineData(2, "sds011")]
    [InlineData(3, "bme280")]
    [InlineData(5, "bme280,sds011")]
    [InlineData(6, "bme280,sds011,scd41")]
    [InlineData(9, "bme280,sds011,scd41,bme280")]
    public void Generic_channels_are_real_sensors(int channels, string sensors)
    {
        var w = EnergyReport.Workload.Generic(channels, 60, 900);
        Assert.Equal(sensors, string.Join(",", w.Sensors.Select(s => s.Sensor)));
        Assert.Equal(channels, w.ChannelCount);
        Assert.Equal(w.Sensors.Length, w.Placements!.Length);
        Assert.Equal(w.Placements.Length, w.Placements.Distinct().Count()); // a second BME280 at 0x77, not on the first's address
    }

    [Fact]
    public void Every_channel_count_the_simulated_sensors_allow_adds_up_and_more_is_refused()
    {
        for (int n = 1; n <= 16; n++)
        {
            var w = EnergyReport.Workload.Generic(n, 60, 900);
            Assert.Equal(n, w.ChannelCount);
            Assert.Equal(w.Placements!.Length, w.Placements.Distinct().Count()); // no two chips on one address or port
        }

        Assert.Contains("--channels: 1 to 16", Assert.Throws<FormatException>(() => EnergyReport.Workload.Generic(17, 60, 900)).Message);
    }

    [Fact]
    public void A_span_of_the_ledger_is_charged_as_the_twin_charges_a_whole_ledger()
    {
        var p = Reference.Power;
        var board = new TwinBoard(new VirtualClock(1_700_000_000));
        var l = board.Ledger;
        l.Book(CpuState.Boot, 1500);
        l.Radio = RadioState.Connecting;
        l.Book(CpuState.Boot, 1500);
        l.Radio = RadioState.Associated;
        l.Book(CpuState.Idle, 15_000);
        l.Book(CpuState.Active, 250);
        l.Radio = RadioState.Started;
        l.Book(CpuState.Active, 40);
        l.Radio = RadioState.Off;
        l.Book(CpuState.DeepSleep, 44_000);
        var first = LedgerSpan.Of(l);
        Assert.Equal(TwinEnergy.ChargeMicroampMs(p, l), first.ChargeMicroampMs(p));

        l.Book(CpuState.Idle, 15_000);
        l.Book(CpuState.Active, 20);
        l.Book(CpuState.LightSleep, 45_000);
        var span = LedgerSpan.Of(l).Minus(first);
        Assert.Equal(60_020, span.TotalMs);
        Assert.Equal(0, span.RadioOnMs);
        Assert.Equal((20 * 50_000L) + (15_000 * 30_000L) + (45_000 * 800L), span.ChargeMicroampMs(p));

        // Radio on: the radio's whole-board current replaces the CPU's, which covers the rest of the awake time.
        var mixed = LedgerSpan.From(boot: 1000, active: 1000, idle: 8000, lightSleep: 0, deepSleep: 50_000, radioOff: 8000, started: 0, connecting: 500, associated: 1500);
        Assert.Equal(0.8, mixed.CpuShare, 6);
        long expected = (long)(0.8 * ((2000 * 50_000.0) + (8000 * 30_000.0))) + (500 * 120_000L) + (1500 * 110_000L) + (50_000 * 10L);
        Assert.Equal(expected, mixed.ChargeMicroampMs(p));
    }

    [Fact]
    public void At_one_sample_a_minute_the_figure_is_the_ledger_charged_by_hand_and_below_esphome_style()
    {
        var p = Reference.Power;
        var r = EnergyReport.Run(Reference, EnergyReport.Workload.Generic(5, 60, 900));
        var m = r.Measured!;
        var t = m.Span;

        // Two days measured after the start-up window, every millisecond booked once.
        Assert.InRange(t.TotalMs, 2 * 86_400_000L, (2 * 86_400_000L) + 120_000);
        Assert.Equal(t.TotalMs, t.Cpu(CpuState.Boot) + t.Cpu(CpuState.Active) + t.Cpu(CpuState.Idle) + t.Cpu(CpuState.LightSleep) + t.Cpu(CpuState.DeepSleep));
        Assert.Equal(t.AwakeMs, t.Radio(RadioState.Off) + t.RadioOnMs);

        // A sample a minute, every window published; the radio joins once per publish.
        Assert.InRange(m.Readings / 5, 2800, 2900);
        Assert.InRange(m.Acknowledged, 180, 200);
        Assert.InRange(m.Connections, 180, 200);
        Assert.True(t.Cpu(CpuState.LightSleep) > t.TotalMs / 2, t.ToString());

        // The hand computation: (time in each state × its current) + the sensors per sample, over the span.
        double share = (double)(t.AwakeMs - t.RadioOnMs) / t.AwakeMs;
        double uaMs = (share * (((t.Cpu(CpuState.Boot) + t.Cpu(CpuState.Active)) * 50_000.0) + (t.Cpu(CpuState.Idle) * 30_000.0)))
            + (t.Radio(RadioState.Started) * 100_000.0) + (t.Radio(RadioState.Connecting) * 120_000.0) + (t.Radio(RadioState.Associated) * 110_000.0)
            + (t.Cpu(CpuState.LightSleep) * 800.0) + (t.Cpu(CpuState.DeepSleep) * 10.0)
            + (m.Readings / 5.0 * ((700 * 45) + (70_000 * 16_000)));
        Assert.InRange(r.AverageMilliamps, uaMs / t.TotalMs / 1000 * 0.999, uaMs / t.TotalMs / 1000 * 1.001);

        // breakdown_ma: the twin's states and the sensors, adding up to avg_ma.
        Assert.Equal(States.OrderBy(s => s), r.Breakdown.Keys.OrderBy(s => s));
        Assert.InRange(r.Breakdown.Values.Sum(), r.AverageMilliamps - 0.005, r.AverageMilliamps + 0.005);
        Assert.True(r.Breakdown["wifi_connecting"] > 0 && r.Breakdown["wifi_associated"] > 0, string.Join(", ", r.Breakdown));
        Assert.Equal(Math.Round(t.Radio(RadioState.Associated) * 110_000.0 / t.TotalMs / 1000, 4), r.Breakdown["wifi_associated"]);
        Assert.Equal(Math.Round(m.Readings / 5.0 * SensorCatalog.ChargePerSample(new[] { "bme280", "sds011" }) / t.TotalMs / 1000, 4), r.Breakdown["sensors"]);

        Assert.True(r.AverageMilliamps < r.Baselines[EnergyReport.EsphomeStyle], $"{r.AverageMilliamps} mA vs ESPHome-style {r.Baselines[EnergyReport.EsphomeStyle]} mA");
        Assert.True(r.Baselines[EnergyReport.EsphomeStyle] < r.Baselines[EnergyReport.AlwaysOn]);
        Assert.InRange(r.AverageMilliamps / r.LowerBoundMilliamps, 0.98, 1.1);
        Assert.Equal(["bme280", "sds011"], r.Sensors);
        Assert.Equal("30000", r.Constants["idle_ua"]);
        Assert.Equal("110000", r.Constants["wifi_associated_ua"]);
    }

    [Fact]
    public void At_one_sample_in_five_minutes_it_deep_sleeps_and_radio_time_is_paid_per_publish_only()
    {
        var r = EnergyReport.Run(Reference, EnergyReport.Workload.Generic(5, 300, 900));
        var t = r.Measured!.Span;
        Assert.Equal("deep", r.Sleep);
        Assert.True(r.Breakdown["deep_sleep"] > 0);

        // Light sleep only through the SDS011's warm-up (15 s a wake), not between wakes.
        Assert.InRange(t.Cpu(CpuState.LightSleep), 1, r.Measured.Wakes * 16_000);

        // Every wake is a boot; the radio joins for one wake in four (⌊900 / 300⌋ + 1 samples per publish), not at every boot.
        Assert.InRange(r.Measured.Boots, r.Measured.Wakes, r.Measured.Wakes + 2);
        Assert.InRange((double)r.Measured.Boots / r.Measured.Connections, 3.5, 4.5);
        // Started but not associated only on a publishing boot before its join (boot, sampling): less than the joins and sessions.
        Assert.True(t.Radio(RadioState.Started) < t.Radio(RadioState.Connecting) + t.Radio(RadioState.Associated), t.ToString());
        Assert.True(r.AverageMilliamps < r.Baselines[EnergyReport.EsphomeStyle] * 0.9, $"{r.AverageMilliamps} mA vs ESPHome-style {r.Baselines[EnergyReport.EsphomeStyle]} mA");
        Assert.InRange(r.AverageMilliamps / r.LowerBoundMilliamps, 0.98, 1.1);
    }

    [Theory]
    [InlineData(120)]
    [InlineData(900)]
    [InlineData(3600)]
    public void The_policy_stays_near_the_lower_bound_and_under_esphome_style(long sample)
    {
        var r = EnergyReport.Run(Reference, EnergyReport.Workload.Generic(5, sample, Math.Max(900, sample)));
        Assert.True(r.Measured!.Acknowledged > 0);
        Assert.InRange(r.AverageMilliamps / r.LowerBoundMilliamps, 0.98, 1.1);
        Assert.True(r.AverageMilliamps <= r.Baselines[EnergyReport.EsphomeStyle] * 1.001, "never worse than publishing every sample");
    }

    [Fact]
    public void A_config_places_its_own_sensors_and_a_sensor_without_a_simulated_chip_is_refused()
    {
        var w = EnergyReport.Workload.FromConfig(NodeConfig.Parse("node.id = 7\nsample = 300s\npublish = 30m\nsensor.bme280 = i2c:0x77\nsensor.ezo_rtd = i2c:0x66\nbatch = 32\n"));
        Assert.Equal(new[] { "i2c:0x77", "i2c:0x66" }, w.Placements);
        Assert.Equal("batch = 32\n", w.OtherConfig);
        var r = EnergyReport.Run(Reference, w);
        Assert.Equal(4, r.Channels);
        Assert.InRange(r.Measured!.Readings / 4, 570, 580); // both chips answer: 4 readings per sample, every 5 min for 2 days
        Assert.Equal(0, r.Breakdown["cpu_idle"] > 1 ? 1 : 0); // no 15 s particulate warm-up to idle through

        var bme680 = EnergyReport.Workload.FromConfig(NodeConfig.Parse("node.id = 7\nsample = 60s\nsensor.bme680 = i2c:0x77\n"));
        Assert.Contains("no simulated chip", Assert.Throws<ArgumentException>(() => EnergyReport.Run(Reference, bme680)).Message);
    }
}
