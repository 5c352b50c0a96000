using CityNode.Config;
using CityNode.Drivers.AnalogProbes;
using CityNode.Drivers.AnalogProbes.Sim;
using CityNode.Host.SimulatedHal;
using CityNode.Sensors;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Drivers;

public class AnalogProbeTests
{
    private static (long Micro, byte Status, FetchResult Result) Sample(ISensor sensor, double waterC = double.NaN)
    {
        var frame = new SampleFrame(4) { ChannelCount = 1 };
        frame.Channels[0] = new ChannelSpec(Channels.WaterTemperature, Units.Celsius, 1, -2);
        frame.Values[0] = double.IsNaN(waterC) ? 0 : (int)Math.Round(waterC * 100);
        frame.Status[0] = double.IsNaN(waterC) ? ReadingStatus.Missing : ReadingStatus.Ok;
        sensor.Trigger(frame, out _);
        var r = sensor.Fetch();
        sensor.TryGet(0, out long micro);
        return (micro, r == FetchResult.Ok ? ReadingStatus.Ok : ReadingStatus.Fault, r);
    }

    [Theory]
    [InlineData(4200, 0.93)]    // DFRobot SEN0189 wiki: the curve's clear-water end (4.2 V)
    [InlineData(4150, 181.57)]  // steep near clear water: ~3.6 NTU per mV
    [InlineData(2500, 3000.35)] // and its 3000 NTU end (2.5 V)
    public void Turbidity_curve_matches_the_dfrobot_wiki(int millivolts, double ntu)
    {
        Assert.Equal(ntu, Turbidity.Ntu(millivolts) / 1e6, 1);
    }

    [Theory]
    [InlineData(1000, 25.0, 367.475)] // DFRobot SEN0244 wiki formula at 1.0 V, 25 °C
    [InlineData(1000, 15.0, 466.27)]  // colder water: coefficient 0.8, V25 = 1.25 V, 0.5 × (260.59 − 399.78 + 1071.74)
    public void Tds_formula_and_temperature_compensation(int millivolts, double celsius, double ppm)
    {
        Assert.Equal(ppm, Tds.TdsMicro(millivolts, (long)(celsius * 1000), 1_000_000) / 1e6, 1);
    }

    [Fact]
    public void Turbidity_reads_through_adc_noise_and_spikes()
    {
        var adc = new SimAdc { SpikeProbability = 0.2 };
        double ntu = 25;
        adc.Connect(6, () => AnalogProbeModels.TurbidityMillivolts(ntu) * 2 / 3); // 3:2 divider to the pin
        var probe = new Turbidity(adc, 6, 3, 2, 0);
        Assert.Equal(FetchResult.Ok, probe.Setup());
        for (int i = 0; i < 20; i++)
        {
            var r = Sample(probe);
            Assert.Equal(ReadingStatus.Ok, r.Status);
            Assert.InRange(r.Micro / 1e6, 5, 45); // ±20 NTU: a millivolt is ~4 NTU near clear water
        }
    }

    [Fact]
    public void Turbidity_faults_adc_failure_unplugged_and_out_of_range()
    {
        var adc = new SimAdc();
        double ntu = 10;
        adc.Connect(6, () => AnalogProbeModels.TurbidityMillivolts(ntu) * 2 / 3);
        var probe = new Turbidity(adc, 6, 3, 2, 0);
        adc.Failing.Add(6);
        Assert.Equal(FetchResult.DeviceError, Sample(probe).Result);
        adc.Failing.Clear();
        adc.Disconnected.Add(6);
        Assert.Equal(FetchResult.NotPresent, Sample(probe).Result);
        adc.Disconnected.Clear();
        ntu = 5000; // muddier than the probe reads
        Assert.Equal(FetchResult.OutOfRange, Sample(probe).Result);
        Assert.False(probe.TryGet(0, out _));
    }

    [Fact]
    public void Turbidity_calibration_moves_the_clear_water_point()
    {
        var adc = new SimAdc { NoiseMillivolts = 0, SpikeProbability = 0 };
        adc.Connect(6, () => AnalogProbeModels.TurbidityMillivolts(0, clearWaterMillivolts: 4050) * 2 / 3);
        var uncalibrated = new Turbidity(adc, 6, 3, 2, 0);
        Assert.True(Sample(uncalibrated).Micro > 400_000_000); // 150 mV low reads as hundreds of NTU
        var calibrated = new Turbidity(adc, 6, 3, 2, 4050);
        Assert.InRange(Sample(calibrated).Micro, 0, 5_000_000);
    }

    [Fact]
    public void Tds_follows_the_water_temperature_of_the_sample()
    {
        var adc = new SimAdc { NoiseMillivolts = 1, SpikeProbability = 0.1 };
        double celsius = 12;
        adc.Connect(7, () => AnalogProbeModels.TdsMillivolts(250, celsius));
        var probe = new Tds(adc, 7, 1, 1, 1_000_000);
        Assert.InRange(Sample(probe, celsius).Micro / 1e6, 245, 255);
        Assert.False(Math.Abs(Sample(probe).Micro / 1e6 - 250) < 10, "without the temperature the reading is off");
        probe.TryGet(1, out long ec);
        Assert.Equal(2 * (probe.TryGet(0, out long tds) ? tds : 0), ec);
    }

    [Fact]
    public void Analog_ph_two_and_three_point_calibration()
    {
        // A module calibrated in pH 4.00, 7.00 and 10.00 buffers at 25 °C.
        string cal3 = "4.00:2032.4,7.00:1500,10.00:967.6";
        var adc = new SimAdc { NoiseMillivolts = 0, SpikeProbability = 0 };
        double ph = 8.5;
        double celsius = 25;
        adc.Connect(5, () => AnalogProbeModels.PhMillivolts(ph, celsius));
        var three = new AnalogPh(adc, 5, 1, 1, cal3);
        Assert.Equal(8.5, Sample(three, celsius).Micro / 1e6, 2);
        ph = 5.2;
        Assert.Equal(5.2, Sample(three, celsius).Micro / 1e6, 2);

        var two = new AnalogPh(adc, 5, 1, 1, "4.00:2032.4,7.00:1500");
        Assert.Equal(5.2, Sample(two, celsius).Micro / 1e6, 2);

        // Warm water: the electrode's slope grows; the driver corrects with the sample's temperature.
        celsius = 35;
        ph = 9.0;
        Assert.Equal(9.0, Sample(three, celsius).Micro / 1e6, 2);
        Assert.NotEqual(9.0, Math.Round(Sample(three).Micro / 1e6, 2));
    }

    [Fact]
    public void Tds_and_ph_faults_adc_failure_out_of_range_and_no_stale_value()
    {
        var adc = new SimAdc { NoiseMillivolts = 0, SpikeProbability = 0 };
        double tdsMv = 800;
        double phMv = 1500;
        adc.Connect(7, () => tdsMv);
        adc.Connect(5, () => phMv);
        var tds = new Tds(adc, 7, 1, 1, 1_000_000);
        var ph = new AnalogPh(adc, 5, 1, 1, "4.00:2032.4,7.00:1500,10.00:967.6");
        Assert.Equal(ReadingStatus.Ok, Sample(tds).Status);
        Assert.Equal(ReadingStatus.Ok, Sample(ph).Status);

        tdsMv = 2800; // past the probe's 2.3 V range
        Assert.Equal(FetchResult.OutOfRange, Sample(tds).Result);
        Assert.False(tds.TryGet(0, out _));
        phMv = 200; // a pH over 14: a shorted or broken electrode
        Assert.Equal(FetchResult.OutOfRange, Sample(ph).Result);

        adc.Failing.Add(7);
        adc.Failing.Add(5);
        Assert.Equal(FetchResult.DeviceError, Sample(tds).Result);
        Assert.Equal(FetchResult.DeviceError, Sample(ph).Result);
        Assert.False(ph.TryGet(0, out _));
    }

    [Theory]
    [InlineData("7.00:1500", "needs 2 or 3 points")]
    [InlineData("7.00:1500,4.00:2030", "points must be in increasing pH")]
    [InlineData("4.00:2030,7.00:1500,10.00:975,12:800", "at most 3 points")]
    [InlineData("4.00-2030,7.00:1500", "is not pH:mV")]
    [InlineData("4.00:1500,7.00:1500", "same voltage")]
    public void Analog_ph_calibration_errors_name_the_key(string text, string problem)
    {
        var e = Assert.Throws<ConfigException>(() => AnalogPh.ParseCalibration(text, new long[3], new long[3]));
        Assert.Equal("calibration.ph", e.Key);
        Assert.Contains(problem, e.Message);
    }
}
