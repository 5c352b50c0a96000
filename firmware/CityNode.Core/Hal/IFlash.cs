namespace CityNode.Hal
{
    /// <summary>Result of a flash operation.</summary>
    public enum FlashStatus
    {
        Ok = 0,
        /// <summary>The cells did not take the value (worn-out or bad block); the sector should be retired.</summary>
        VerifyFailed = 1,
        /// <summary>Address or length outside the region.</summary>
        OutOfRange = 2,
        /// <summary>The controller reported an error.</summary>
        Error = 3,
    }

    /// <summary>
    /// A region of NOR flash: erase sets a whole sector to 0xFF; programming can only clear bits
    /// (1 → 0). Writers must assume a power cut can stop any call part-way.
    /// On the ESP32 the glue backs it with files on the littlefs `I:` drive (one file per sector,
    /// committed by closing the file); on the host a simulator injects power cuts, torn writes,
    /// bad blocks and wear-out.
    /// </summary>
    public interface IFlash
    {
        int SectorSize { get; }
        int SectorCount { get; }

        FlashStatus Read(int address, byte[] buffer, int offset, int count);

        /// <summary>ANDs the bytes into the cells at <paramref name="address"/> and verifies them.</summary>
        FlashStatus Program(int address, byte[] buffer, int offset, int count);

        /// <summary>Sets every byte of the sector to 0xFF and verifies it.</summary>
        FlashStatus Erase(int sector);
    }
}
