using CityNode.Config;
using CityNode.Host.Reports;
using CityNode.Power;
using Xunit;

namespace CityNode.Tests.Power;

/// <summary>The power policy against the energy model: the charge arithmetic, the choice of sleep, and the policy's distance to the model's optimum.</summary>
public class EnergyPolicyTests
{
    private static BoardProfile Reference => BoardProfile.Parse(File.ReadAllText(Path.Combine(Paths.Root, "boards", "reference.board")));

    [Fact]
    public void Charge_is_time_in_each_state_times_its_current()
    {
        var p = new PowerProfile();
        var t = new PhaseTimes { BootMs = 1500, ActiveMs = 100, WaitMs = 1000, RadioMs = 3000, LightSleepMs = 0, DeepSleepMs = 55_400, SensorMicroampMs = 700 * 45 };
        long expected = (1500 * 50_000L) + (100 * 50_000L) + (1000 * 30_000L) + (3000 * 120_000L) + (55_400 * 10L) + (700 * 45); // waits at idle: Thread.Sleep on the device
        Assert.Equal(expected, EnergyModel.Charge(p, t));
        Assert.Equal(expected / 61_000, EnergyModel.AverageMicroamps(p, t));
        Assert.Equal(125, EnergyModel.Days(3000, 1000));
    }

    [Theory]
    [InlineData(60_000, SleepKindName.Light)]   // 48 mAs light vs 75.6 mAs deep + boot
    [InlineData(94_000, SleepKindName.Light)]
    [InlineData(96_000, SleepKindName.Deep)]    // break-even: 50 mA × 1.5 s / (0.8 − 0.01) mA = 94.9 s
    [InlineData(300_000, SleepKindName.Deep)]
    public void Sleep_is_the_cheaper_one_for_the_interval(long ms, SleepKindName expected)
    {
        var p = new PowerProfile();
        Assert.Equal(94_936, p.DeepSleepBreakEvenMs);
        Assert.Equal(expected == SleepKindName.Deep ? CityNode.Hal.SleepKind.Deep : CityNode.Hal.SleepKind.Light, SleepPolicy.Choose(ms, p, "auto"));
        Assert.Equal(CityNode.Hal.SleepKind.Light, SleepPolicy.Choose(ms, p, "light"));
    }

    public enum SleepKindName
    {
        Light,
        Deep,
    }

    [Fact]
    public void Low_battery_stretches_the_interval()
    {
        Assert.Equal(60, SleepPolicy.Stretch(60, 3800, 3400));
        Assert.Equal(120, SleepPolicy.Stretch(60, 3300, 3400));
        Assert.Equal(240, SleepPolicy.Stretch(60, 3100, 3400));
        Assert.Equal(60, SleepPolicy.Stretch(60, 0, 3400)); // no battery sense: unchanged
    }

    [Fact]
    public void Shipped_board_profiles_parse_and_name_their_sources()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Paths.Root, "boards"), "*.board"))
        {
            var b = BoardProfile.Parse(File.ReadAllText(file));
            Assert.Equal(Path.GetFileNameWithoutExtension(file), b.Id);
            Assert.False(string.IsNullOrEmpty(b.NanoffTarget));
            foreach (var key in new[]
            {
                "power.deep_sleep_ua", "power.light_sleep_ua", "power.active_ua", "power.radio_ua", "power.connect_publish_ms", "power.boot_ms",
                "power.idle_ua", "power.wifi_started_ua", "power.wifi_connecting_ua", "power.wifi_associated_ua", "power.il_per_second",
            })
            {
                Assert.False(string.IsNullOrEmpty(b.Document.Get(key)), $"{b.Id}: no {key}");
                Assert.False(string.IsNullOrEmpty(b.Source(key[6..])), $"{b.Id}: {key} has no source");
            }

            // The twin's states, ordered as the hardware is: idle CPU < Wi-Fi started < associated < connecting.
            var p = b.Power;
            Assert.True(p.IdleMicroamps <= p.ActiveMicroamps && p.ActiveMicroamps < p.WifiStartedMicroamps, b.Id);
            Assert.True(p.WifiStartedMicroamps <= p.WifiAssociatedMicroamps && p.WifiAssociatedMicroamps <= p.WifiConnectingMicroamps, b.Id);
        }
    }

    [Theory]
    [InlineData("board = x\npower.deep_sleep_ua = lots", "line 2: power.deep_sleep_ua: 'lots' is not a whole number from 1 to 1000000")]
    [InlineData("board = x\npower.il_per_second = 100", "line 2: power.il_per_second: '100' is not a whole number from 500000 to 5000000")]
    [InlineData("board = x\npower.nap_ua = 3", "line 2: power.nap_ua: unknown key in a board profile")]
    [InlineData("board = x\npins.i2c1_sda = 99", "line 2: pins.i2c1_sda: '99' is not a GPIO number (0..48)")]
    [InlineData("power.boot_ms = 1500", "board: required (the profile's id)")]
    public void Bad_board_profiles_name_line_and_key(string text, string message)
    {
        Assert.Equal(message, Assert.Throws<ConfigException>(() => BoardProfile.Parse(text)).Message);
    }
}
