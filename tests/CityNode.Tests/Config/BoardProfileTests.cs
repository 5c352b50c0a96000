using CityNode.Config;
using Xunit;

namespace CityNode.Tests.Config;

/// <summary>Each power constant of a board profile lands in its own PowerProfile field, within its own range (formerly picked by list position).</summary>
public class BoardProfileTests
{
    [Fact]
    public void Every_power_key_sets_its_own_field()
    {
        var b = BoardProfile.Parse("""
            board = t
            power.deep_sleep_ua = 11
            power.light_sleep_ua = 12
            power.active_ua = 13
            power.radio_ua = 14
            power.connect_publish_ms = 15
            power.boot_ms = 16
            power.battery_mah = 170
            power.idle_ua = 18
            power.wifi_started_ua = 19
            power.wifi_connecting_ua = 20
            power.wifi_associated_ua = 21
            power.il_per_second = 2200000
            bus.i2c2_khz = 400
            """);
        var p = b.Power;
        Assert.Equal(
            new long[] { 11, 12, 13, 14, 15, 16, 170, 18, 19, 20, 21, 2200000 },
            new long[] { p.DeepSleepMicroamps, p.LightSleepMicroamps, p.ActiveMicroamps, p.RadioMicroamps, p.ConnectPublishMs, p.BootMs, p.BatteryMilliampHours, p.IdleMicroamps, p.WifiStartedMicroamps, p.WifiConnectingMicroamps, p.WifiAssociatedMicroamps, p.IlPerSecond });
        Assert.Equal((100, 400), (b.I2cKilohertz(1), b.I2cKilohertz(2)));
    }

    [Theory]
    [InlineData("power.deep_sleep_ua = 1000001", "1 to 1000000")]
    [InlineData("power.connect_publish_ms = 60001", "1 to 60000")]
    [InlineData("power.boot_ms = 0", "1 to 60000")]
    [InlineData("power.battery_mah = 99", "100 to 1000000")]
    [InlineData("power.il_per_second = 499999", "500000 to 5000000")]
    [InlineData("power.il_per_second = 5000001", "500000 to 5000000")]
    public void Each_power_key_has_its_own_range(string line, string range)
    {
        string key = line.Split(' ')[0];
        string value = line.Split(' ')[2];
        var e = Assert.Throws<ConfigException>(() => BoardProfile.Parse("board = t\n" + line + "\n"));
        Assert.Equal($"line 2: {key}: '{value}' is not a whole number from {range}", e.Message);
    }

    [Fact]
    public void An_unknown_power_key_is_refused()
    {
        Assert.Equal("line 2: power.sleep_ua: unknown key in a board profile", Assert.Throws<ConfigException>(() => BoardProfile.Parse("board = t\npower.sleep_ua = 1\n")).Message);
    }
}
