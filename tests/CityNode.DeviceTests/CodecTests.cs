using CityNode.Telemetry;
using nanoFramework.TestFramework;

namespace CityNode.DeviceTests
{
    /// <summary>Mirrors Telemetry/CodecRoundTripTests: the range coder's integer arithmetic on the nanoCLR interpreter.</summary>
    [TestClass]
    public class CodecTests
    {
        [TestMethod]
        public void A_batch_round_trips_exactly_and_fits_the_host_figure()
        {
            SampleBatch b = new SampleBatch(64, 3);
            b.Count = 64;
            b.ChannelCount = 3;
            b.Channels[0].Set(Channels.AirTemperature, Units.Celsius, 1, -2);
            b.Channels[1].Set(Channels.RelativeHumidity, Units.RelativeHumidityPercent, 1, -2);
            b.Channels[2].Set(Channels.AirPressure, Units.Pascal, 1, 0);
            for (int i = 0; i < 64; i++)
            {
                b.Times[i] = 1760000000 + (i * 60);
                b.Values[b.Index(0, i)] = 2137 + (i % 5);
                b.Values[b.Index(1, i)] = 6512 - (i / 3);
                b.Values[b.Index(2, i)] = 101325 - i;
            }

            b.Status[b.Index(1, 10)] = ReadingStatus.Fault;
            NodeDiagnostics d = new NodeDiagnostics();
            d.Set(NodeDiagnostics.BatteryMillivolts, 3789);
            BatchEncoder enc = new BatchEncoder(BatchEncoder.WorstCaseSize(64, 3), 64);
            int length = enc.Encode(b, 42, 7, d);
            Assert.IsTrue(length < 64 * 3 * 2, "under 2 bytes per reading");

            BatchDecoder dec = new BatchDecoder();
            SampleBatch got = dec.DecodeNew(enc.Buffer, 0, length);
            Assert.AreEqual(64, got.Count);
            Assert.AreEqual((uint)42, dec.Header.NodeId);
            Assert.AreEqual((long)3789, dec.Diagnostics.Get(NodeDiagnostics.BatteryMillivolts));
            for (int c = 0; c < 3; c++)
            {
                for (int i = 0; i < 64; i++)
                {
                    Assert.AreEqual(b.Status[b.Index(c, i)], got.Status[got.Index(c, i)]);
                    if (b.Status[b.Index(c, i)] == ReadingStatus.Ok)
                    {
                        Assert.AreEqual(b.Values[b.Index(c, i)], got.Values[got.Index(c, i)]);
                    }
                }
            }
        }

        [TestMethod]
        public void A_flipped_byte_is_rejected_with_its_offset()
        {
            SampleBatch b = new SampleBatch(2, 1);
            b.Count = 2;
            b.ChannelCount = 1;
            b.Channels[0].Set(Channels.AirTemperature, Units.Celsius, 1, -2);
            b.Times[0] = 1760000000;
            b.Times[1] = 1760000060;
            BatchEncoder enc = new BatchEncoder(256, 2);
            int length = enc.Encode(b, 1, 1, null);
            enc.Buffer[5] ^= 0x10;
            Assert.ThrowsException(typeof(PayloadException), () => new BatchDecoder().DecodeNew(enc.Buffer, 0, length));
        }
    }
}
