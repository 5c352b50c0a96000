using CityNode.Buffering;
using CityNode.Sensors;
using CityNode.Storage;
using CityNode.Telemetry;
using nanoFramework.TestFramework;

namespace CityNode.DeviceTests
{
    /// <summary>Mirrors Buffering/SampleRingTests and Storage/JournalPowerCutTests on the device's runtime.</summary>
    [TestClass]
    public class StorageTests
    {
        [TestMethod]
        public void The_ring_keeps_samples_in_order_and_drops_the_oldest_when_full()
        {
            SampleRing ring = new SampleRing(512, 2);
            SampleFrame frame = new SampleFrame(2);
            frame.ChannelCount = 2;
            for (int i = 0; i < 200; i++)
            {
                frame.Clear(1760000000 + (i * 60));
                frame.Values[0] = i;
                frame.Values[1] = (i * 7919) % 100003; // jumps: the ring's nibble deltas cannot shrink these
                frame.Status[0] = ReadingStatus.Ok;
                frame.Status[1] = ReadingStatus.Ok;
                ring.Append(frame, (uint)(i + 1));
            }

            Assert.IsTrue(ring.DroppedSamples > 0, "a 512-byte ring cannot hold 200 samples");
            SampleBatch batch = new SampleBatch(256, 2);
            int n = ring.ReadOldest(256, batch);
            Assert.AreEqual(ring.Count, n);
            Assert.AreEqual(200 - n, batch.Values[batch.Index(0, 0)]);
            Assert.AreEqual(((200 - n) * 7919) % 100003, batch.Values[batch.Index(1, 0)]);
            Assert.AreEqual(199, batch.Values[batch.Index(0, n - 1)]);
            Assert.AreEqual(1760000000L + (199 * 60), batch.Times[n - 1]);
        }

        [TestMethod]
        public void The_journal_recovers_its_pending_batches_after_a_reset()
        {
            RamFlash flash = new RamFlash(1024, 8);
            FlashJournal journal = new FlashJournal(flash, 1);
            journal.Mount();
            byte[] payload = new byte[100];
            for (uint seq = 1; seq <= 12; seq++)
            {
                payload[0] = (byte)seq;
                Assert.IsTrue(journal.Append(seq, payload, 0, payload.Length, 10, seq * 10));
            }

            journal.Release(1);
            journal.Release(2);

            FlashJournal again = new FlashJournal(flash, 1);
            again.Mount();
            Assert.AreEqual(10, again.PendingCount);
            Assert.AreEqual((uint)13, again.NextSequence);
            uint sequence;
            byte[] read = new byte[200];
            Assert.AreEqual(100, again.Read(0, read, out sequence));
            Assert.AreEqual((uint)3, sequence);
            Assert.AreEqual((byte)3, read[0]);
        }
    }
}
