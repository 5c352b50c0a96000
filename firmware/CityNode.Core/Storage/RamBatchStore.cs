using System;
using CityNode.Util;

namespace CityNode.Storage
{
    /// <summary>
    /// An <see cref="IBatchStore"/> in a preallocated byte ring: for boards without a journal and for
    /// tests. Lost on power loss and on deep sleep; <see cref="CityNode.Storage.FlashJournal"/> is not.
    /// Record: sequence (4), readings (4), length (2), payload.
    /// </summary>
    public sealed class RamBatchStore : IBatchStore
    {
        private const int HeaderSize = 10;

        private readonly byte[] _ring;
        private readonly byte[] _header = new byte[HeaderSize];
        private int _start;
        private int _used;
        private int _count;

        public RamBatchStore(int capacityBytes, uint firstSequence)
        {
            _ring = new byte[capacityBytes];
            NextSequence = firstSequence;
        }

        public uint NextSequence { get; private set; }

        /// <summary>RAM keeps nothing over a reset.</summary>
        public void Mount()
        {
        }

        public void Checkpoint()
        {
        }

        public int PendingCount { get { return _count; } }

        public long DroppedBatches { get; private set; }

        public long DroppedReadings { get; private set; }

        public long QuarantinedBatches { get; private set; }

        public long QuarantinedReadings { get; private set; }

        public int MaxPayload { get { return MaxPayloadFor(_ring.Length); } }

        /// <summary>The largest payload a store of <paramref name="capacityBytes"/> takes.</summary>
        public static int MaxPayloadFor(int capacityBytes)
        {
            return capacityBytes - HeaderSize < 0xFFFF ? capacityBytes - HeaderSize : 0xFFFF;
        }

        public uint LastSampleId { get; private set; }

        public long SealedReadings { get; private set; }

        public long Recoveries { get { return 0; } }

        public bool Append(uint sequence, byte[] payload, int offset, int count, int readings, uint lastSampleId)
        {
            int size = HeaderSize + count;
            if (size > _ring.Length || count > 0xFFFF)
            {
                return false;
            }

            while (_ring.Length - _used < size)
            {
                DropOldest();
            }

            LittleEndian.WriteUInt32(_header, 0, sequence);
            LittleEndian.WriteUInt32(_header, 4, (uint)readings);
            LittleEndian.WriteUInt16(_header, 8, count);
            int at = (_start + _used) % _ring.Length;
            Put(at, _header, 0, HeaderSize);
            Put((at + HeaderSize) % _ring.Length, payload, offset, count);
            _used += size;
            _count++;
            NextSequence = sequence + 1;
            LastSampleId = lastSampleId;
            SealedReadings += readings;
            return true;
        }

        public int Read(int ordinal, byte[] buffer, out uint sequence)
        {
            sequence = 0;
            if (ordinal < 0 || ordinal >= _count)
            {
                return -1;
            }

            int at = _start;
            for (int i = 0; ; i++)
            {
                Get(at, _header, 0, HeaderSize);
                int length = LittleEndian.ReadUInt16(_header, 8);
                if (i == ordinal)
                {
                    sequence = LittleEndian.ReadUInt32(_header, 0);
                    if (buffer.Length < length)
                    {
                        throw new ArgumentException("buffer smaller than batch " + sequence.ToString());
                    }

                    Get((at + HeaderSize) % _ring.Length, buffer, 0, length);
                    return length;
                }

                at = (at + HeaderSize + length) % _ring.Length;
            }
        }

        public uint OldestSequence
        {
            get
            {
                if (_count == 0)
                {
                    return 0;
                }

                Get(_start, _header, 0, HeaderSize);
                return LittleEndian.ReadUInt32(_header, 0);
            }
        }

        public void Release(uint sequence)
        {
            Remove(sequence, false);
        }

        public void Quarantine(uint sequence)
        {
            Remove(sequence, true);
        }

        /// <summary>Removes the oldest batch if it has this sequence (the publisher releases in order).</summary>
        private void Remove(uint sequence, bool quarantine)
        {
            if (_count == 0)
            {
                return;
            }

            Get(_start, _header, 0, HeaderSize);
            if (LittleEndian.ReadUInt32(_header, 0) != sequence)
            {
                return;
            }

            if (quarantine)
            {
                QuarantinedBatches++;
                QuarantinedReadings += LittleEndian.ReadUInt32(_header, 4);
            }

            Pop();
        }

        private void DropOldest()
        {
            Get(_start, _header, 0, HeaderSize);
            DroppedBatches++;
            DroppedReadings += LittleEndian.ReadUInt32(_header, 4);
            Pop();
        }

        private void Pop()
        {
            Get(_start, _header, 0, HeaderSize);
            int size = HeaderSize + LittleEndian.ReadUInt16(_header, 8);
            _start = (_start + size) % _ring.Length;
            _used -= size;
            _count--;
            if (_count == 0)
            {
                _start = 0;
                _used = 0;
            }
        }

        private void Put(int at, byte[] src, int offset, int count)
        {
            for (int i = 0; i < count; i++)
            {
                _ring[(at + i) % _ring.Length] = src[offset + i];
            }
        }

        private void Get(int at, byte[] dst, int offset, int count)
        {
            for (int i = 0; i < count; i++)
            {
                dst[offset + i] = _ring[(at + i) % _ring.Length];
            }
        }
    }
}
