namespace Iot.Device.Bmxx80.CalibrationData;

/// <summary>Trimming parameters, read register by register in the order (and with the signedness) the binding uses.</summary>
// upstream: nanoframework/nanoFramework.IoT.Device devices/Bmxx80/CalibrationData/Bmxx80CalibrationData.cs; native: none.
internal abstract class Bmxx80CalibrationData
{
    public ushort DigT1 { get; set; }

    public short DigT2 { get; set; }

    public short DigT3 { get; set; }

    public ushort DigP1 { get; set; }

    public short DigP2 { get; set; }

    public short DigP3 { get; set; }

    public short DigP4 { get; set; }

    public short DigP5 { get; set; }

    public short DigP6 { get; set; }

    public short DigP7 { get; set; }

    public short DigP8 { get; set; }

    public short DigP9 { get; set; }

    protected internal abstract void ReadFromDevice(Bmxx80Base device);
}

// upstream: devices/Bmxx80/CalibrationData/Bme280CalibrationData.cs (humidity first) + Bmp280CalibrationData.cs (0x88..0x9F, little-endian).
// dig_H4/dig_H5 take 0xE4/0xE6 as unsigned bytes (the datasheet's §4.2.2 says signed): kept.
internal sealed class Bme280CalibrationData : Bmxx80CalibrationData
{
    public byte DigH1 { get; set; }

    public short DigH2 { get; set; }

    public ushort DigH3 { get; set; }

    public short DigH4 { get; set; }

    public short DigH5 { get; set; }

    public sbyte DigH6 { get; set; }

    protected internal override void ReadFromDevice(Bmxx80Base device)
    {
        DigH1 = device.Read8BitsFromRegister(0xA1);
        DigH2 = (short)device.Read16BitsFromRegister(0xE1);
        DigH3 = device.Read8BitsFromRegister(0xE3);
        DigH4 = (short)((device.Read8BitsFromRegister(0xE4) << 4) | (device.Read8BitsFromRegister(0xE5) & 0xF));
        DigH5 = (short)((device.Read8BitsFromRegister(0xE6) << 4) | (device.Read8BitsFromRegister(0xE5) >> 4));
        DigH6 = (sbyte)device.Read8BitsFromRegister(0xE7);
        DigT1 = device.Read16BitsFromRegister(0x88);
        DigT2 = (short)device.Read16BitsFromRegister(0x8A);
        DigT3 = (short)device.Read16BitsFromRegister(0x8C);
        DigP1 = device.Read16BitsFromRegister(0x8E);
        DigP2 = (short)device.Read16BitsFromRegister(0x90);
        DigP3 = (short)device.Read16BitsFromRegister(0x92);
        DigP4 = (short)device.Read16BitsFromRegister(0x94);
        DigP5 = (short)device.Read16BitsFromRegister(0x96);
        DigP6 = (short)device.Read16BitsFromRegister(0x98);
        DigP7 = (short)device.Read16BitsFromRegister(0x9A);
        DigP8 = (short)device.Read16BitsFromRegister(0x9C);
        DigP9 = (short)device.Read16BitsFromRegister(0x9E);
    }
}

// upstream: devices/Bmxx80/CalibrationData/Bme680CalibrationData.cs. par_t3, par_p3, par_p6 and par_p7 are signed
// bytes in the BME680 datasheet but land in the shorts as unsigned (0..255): kept.
internal sealed class Bme680CalibrationData : Bmxx80CalibrationData
{
    public byte DigP10 { get; set; }

    public ushort DigH1 { get; set; }

    public ushort DigH2 { get; set; }

    public sbyte DigH3 { get; set; }

    public sbyte DigH4 { get; set; }

    public sbyte DigH5 { get; set; }

    public byte DigH6 { get; set; }

    public sbyte DigH7 { get; set; }

    public sbyte DigGh1 { get; set; }

    public short DigGh2 { get; set; }

    public sbyte DigGh3 { get; set; }

    public byte ResHeatRange { get; set; }

    public sbyte ResHeatVal { get; set; }

    public sbyte RangeSwErr { get; set; }

    protected internal override void ReadFromDevice(Bmxx80Base device)
    {
        DigT1 = device.Read16BitsFromRegister(0xE9);
        DigT2 = (short)device.Read16BitsFromRegister(0x8A);
        DigT3 = device.Read8BitsFromRegister(0x8C);
        DigH1 = (ushort)((device.Read8BitsFromRegister(0xE3) << 4) | (device.Read8BitsFromRegister(0xE2) & 0x0F));
        DigH2 = (ushort)((device.Read8BitsFromRegister(0xE1) << 4) | (device.Read8BitsFromRegister(0xE2) >> 4));
        DigH3 = (sbyte)device.Read8BitsFromRegister(0xE4);
        DigH4 = (sbyte)device.Read8BitsFromRegister(0xE5);
        DigH5 = (sbyte)device.Read8BitsFromRegister(0xE6);
        DigH6 = device.Read8BitsFromRegister(0xE7);
        DigH7 = (sbyte)device.Read8BitsFromRegister(0xE8);
        DigP1 = device.Read16BitsFromRegister(0x8E);
        DigP2 = (short)device.Read16BitsFromRegister(0x90);
        DigP3 = device.Read8BitsFromRegister(0x92);
        DigP4 = (short)device.Read16BitsFromRegister(0x94);
        DigP5 = (short)device.Read16BitsFromRegister(0x96);
        DigP6 = device.Read8BitsFromRegister(0x99);
        DigP7 = device.Read8BitsFromRegister(0x98);
        DigP8 = (short)device.Read16BitsFromRegister(0x9C);
        DigP9 = (short)device.Read16BitsFromRegister(0x9E);
        DigP10 = device.Read8BitsFromRegister(0xA0);
        DigGh1 = (sbyte)device.Read8BitsFromRegister(0xED);
        DigGh2 = (short)device.Read16BitsFromRegister(0xEB);
        DigGh3 = (sbyte)device.Read8BitsFromRegister(0xEE);
        ResHeatRange = (byte)((device.Read8BitsFromRegister(0x02) & 0x30) >> 4);
        RangeSwErr = (sbyte)((device.Read8BitsFromRegister(0x04) & 0xF0) >> 4);
        ResHeatVal = (sbyte)device.Read8BitsFromRegister(0x00);
    }
}
