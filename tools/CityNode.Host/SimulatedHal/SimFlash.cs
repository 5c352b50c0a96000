using CityNode.Hal;

namespace CityNode.Host.SimulatedHal;

/// <summary>The power failed in the middle of a flash operation; the node stops where it was.</summary>
public sealed class PowerCutException : Exception
{
    public PowerCutException(long operation)
        : base($"power cut during flash operation {operation}")
    {
    }
}

/// <summary>
/// NOR flash as the journal sees it on a real part: erase sets a sector to 0xFF, programming can
/// only clear bits (a program over programmed cells ANDs), every erase is counted. Faults:
/// <list type="bullet">
/// <item>power cut at the N-th write operation (program or erase): the operation stops part-way —
/// a program leaves a prefix written and the next byte with a random subset of its bits cleared
/// (a torn write); an erase leaves a random prefix erased — and <see cref="PowerCutException"/> is thrown;</item>
/// <item>bad sectors, whose erase and program never verify;</item>
/// <item>wear-out: past <see cref="Endurance"/> erases a sector's cells stop taking values.</item>
/// </list>
/// The flash keeps its contents across a "reboot" (a new node built on the same object).
/// </summary>
public sealed class SimFlash : IFlash
{
    private readonly byte[] _cells;
    private readonly Random _random;

    public SimFlash(int sectorSize, int sectorCount, int seed = 1)
    {
        SectorSize = sectorSize;
        SectorCount = sectorCount;
        _cells = new byte[sectorSize * sectorCount];
        Array.Fill(_cells, (byte)0xFF);
        EraseCounts = new int[sectorCount];
        _random = new Random(seed);
    }

    public int SectorSize { get; }

    public int SectorCount { get; }

    public int[] EraseCounts { get; }

    /// <summary>Program and erase operations so far.</summary>
    public long WriteOperations { get; private set; }

    public long BytesProgrammed { get; private set; }

    /// <summary>When set, the write operation whose number (<see cref="WriteOperations"/> after it, counted since this flash was created) equals it is cut; set it to WriteOperations + n to cut the n-th write from now.</summary>
    public long? PowerCutAt { get; set; }

    public HashSet<int> BadSectors { get; } = new();

    /// <summary>Erases after which a sector wears out (NOR datasheets give 100 000 cycles).</summary>
    public int Endurance { get; set; } = 100_000;

    public byte[] Snapshot() => (byte[])_cells.Clone();

    public FlashStatus Read(int address, byte[] buffer, int offset, int count)
    {
        if (address < 0 || count < 0 || address + count > _cells.Length)
        {
            return FlashStatus.OutOfRange;
        }

        Array.Copy(_cells, address, buffer, offset, count);
        return FlashStatus.Ok;
    }

    public FlashStatus Program(int address, byte[] buffer, int offset, int count)
    {
        if (address < 0 || count < 0 || address + count > _cells.Length)
        {
            return FlashStatus.OutOfRange;
        }

        long op = ++WriteOperations;
        int sector = address / SectorSize;
        if (PowerCutAt == op)
        {
            int done = _random.Next(count + 1);
            for (int i = 0; i < done; i++)
            {
                _cells[address + i] &= buffer[offset + i];
            }

            if (done < count)
            {
                _cells[address + done] &= (byte)(buffer[offset + done] | _random.Next(256));
            }

            PowerCutAt = null;
            throw new PowerCutException(op);
        }

        bool dead = BadSectors.Contains(sector) || EraseCounts[sector] > Endurance;
        for (int i = 0; i < count; i++)
        {
            // A dead cell ignores programming now and then.
            if (dead && _random.Next(4) == 0)
            {
                continue;
            }

            _cells[address + i] &= buffer[offset + i];
        }

        BytesProgrammed += count;
        for (int i = 0; i < count; i++)
        {
            if (_cells[address + i] != buffer[offset + i])
            {
                return FlashStatus.VerifyFailed;
            }
        }

        return FlashStatus.Ok;
    }

    public FlashStatus Erase(int sector)
    {
        if (sector < 0 || sector >= SectorCount)
        {
            return FlashStatus.OutOfRange;
        }

        long op = ++WriteOperations;
        int start = sector * SectorSize;
        EraseCounts[sector]++;
        if (PowerCutAt == op)
        {
            int done = _random.Next(SectorSize + 1);
            Array.Fill(_cells, (byte)0xFF, start, done);
            PowerCutAt = null;
            throw new PowerCutException(op);
        }

        if (BadSectors.Contains(sector) || EraseCounts[sector] > Endurance)
        {
            // Some cells stay programmed.
            for (int i = 0; i < SectorSize; i++)
            {
                _cells[start + i] = (byte)(_random.Next(8) == 0 ? 0x00 : 0xFF);
            }

            return FlashStatus.VerifyFailed;
        }

        Array.Fill(_cells, (byte)0xFF, start, SectorSize);
        return FlashStatus.Ok;
    }
}
