using CityNode.Storage;
using CityNode.Util;

namespace CityNode.Node
{
    /// <summary>
    /// What a deep sleep keeps of the runtime's RAM, saved in the staging log before it: the schedule,
    /// a refused configuration still to report, the diagnostics window (each batch must account for
    /// all of the node's time), the batches sent and waiting for the backend's acknowledgement, and the
    /// length of the sleep being started. Version 4; a record of
    /// another version or size is ignored at boot (the node then starts a fresh schedule).
    /// </summary>
    public sealed class RuntimeRecord
    {
        public const int Version = 4;
        private const int ScheduleAt = 1;
        private const int SessionAt = ScheduleAt + NodeSchedule.RecordBytes;
        private const int PhasesAt = SessionAt + DeliverySession.RecordBytes;
        private const int SleepAt = PhasesAt + PhaseAccount.RecordBytes;

        /// <summary>The record's size: it must fit the staging log's runtime slot (checked at construction).</summary>
        public const int Size = SleepAt + 4;

        private readonly byte[] _r = new byte[Size];

        public RuntimeRecord()
        {
            if (Size > SampleStaging.MaxRuntimeBytes)
            {
                // Fails every test and every boot at once: a record that does not fit would silently never be saved.
                throw new System.InvalidOperationException("runtime record of " + Size.ToString() + " B exceeds SampleStaging.MaxRuntimeBytes");
            }
        }

        /// <summary>Saves the parts to the staging log; false when the log could not take it (the wake then starts a fresh schedule).</summary>
        public bool Save(SampleStaging staging, NodeSchedule schedule, DeliverySession session, PhaseAccount phases, int sleepMs)
        {
            _r[0] = Version;
            schedule.Write(_r, ScheduleAt);
            session.Write(_r, SessionAt);
            phases.Write(_r, PhasesAt);
            LittleEndian.WriteUInt32(_r, SleepAt, (uint)sleepMs);
            return staging.SaveRuntime(_r, Size);
        }

        /// <summary>Restores the parts from the staging log: the sleep that ended (ms), or -1 when there was no record of this version.</summary>
        public long Restore(SampleStaging staging, NodeSchedule schedule, DeliverySession session, PhaseAccount phases)
        {
            if (staging.ReadRuntime(_r) != Size || _r[0] != Version)
            {
                return -1;
            }

            schedule.Read(_r, ScheduleAt);
            session.Read(_r, SessionAt);
            phases.Restore(_r, PhasesAt);
            return LittleEndian.ReadUInt32(_r, SleepAt);
        }
    }
}
