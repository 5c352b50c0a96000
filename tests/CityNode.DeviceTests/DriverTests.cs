using CityNode.Drivers.Common;
using CityNode.Drivers.Pms5003;
using nanoFramework.TestFramework;

namespace CityNode.DeviceTests
{
    /// <summary>Mirrors the drivers' frame and CRC tests: byte handling on the interpreter.</summary>
    [TestClass]
    public class DriverTests
    {
        [TestMethod]
        public void Sensirion_crc_matches_the_datasheet_example()
        {
            // SCD4x datasheet §3.11: CRC(0xBEEF) = 0x92.
            Assert.AreEqual((byte)0x92, SensirionCrc.Compute(0xBE, 0xEF));
        }

        [TestMethod]
        public void The_pms5003_parser_finds_a_frame_after_noise_and_refuses_a_bad_checksum()
        {
            byte[] frame = new byte[Pms5003Frame.FrameSize];
            frame[0] = Pms5003Frame.Start1;
            frame[1] = Pms5003Frame.Start2;
            frame[3] = Pms5003Frame.DataFrameLength;
            frame[4 + (2 * Pms5003Frame.Pm25Atmospheric) + 1] = 17; // PM2.5 = 17 µg/m3
            int sum = 0;
            for (int i = 0; i < 30; i++)
            {
                sum += frame[i];
            }

            frame[30] = (byte)(sum >> 8);
            frame[31] = (byte)sum;

            Pms5003Frame parser = new Pms5003Frame();
            byte[] noise = new byte[] { 0x42, 0x00, 0x4D, 0x13, 0x42 };
            foreach (byte b in noise)
            {
                parser.Feed(b);
            }

            bool complete = false;
            foreach (byte b in frame)
            {
                complete = parser.Feed(b);
            }

            Assert.IsTrue(complete);
            Assert.AreEqual(17, parser.Word(Pms5003Frame.Pm25Atmospheric));

            frame[31] ^= 1;
            complete = false;
            foreach (byte b in frame)
            {
                complete |= parser.Feed(b);
            }

            Assert.IsFalse(complete);
            Assert.IsTrue(parser.ChecksumErrors > 0);
        }
    }
}
