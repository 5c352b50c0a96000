namespace CityNode.Serve;

/// <summary>
/// The one table of what a value means in plain language: per channel, what the quantity is and,
/// where an authority publishes limits, the bands with their source. The pages and the API read it
/// from here (<c>/api/levels</c>, the <c>level</c> of each value in <c>/api/nodes</c>); nothing else
/// holds a threshold.
/// </summary>
public static class Levels
{
    /// <summary>A band: values from <see cref="From"/> (inclusive) up to <see cref="To"/> (exclusive; null = no end).</summary>
    public sealed record Band(double? From, double? To, string Label, string Tone);

    public sealed record Quantity(string Channel, string Title, string Meaning, Band[] Bands, string? Source, string? Note);

    private const string Who2021 = "WHO global air quality guidelines (2021), Table 0.1 (ISBN 978-92-4-003422-8): 24-hour air quality guideline level and interim targets";
    private const string FishDirective = "Directive 2006/44/EC on the quality of fresh waters needing protection to support fish life, Annex I";
    private const string DrinkingWater = "Directive (EU) 2020/2184 on the quality of water intended for human consumption, Annex I Part C (indicator parameters)";

    public static readonly Quantity[] Table =
    {
        // WHO 2021 24-hour PM2.5: AQG 15, interim targets IT-4 25, IT-3 37.5, IT-2 50, IT-1 75 µg/m³.
        new("pm2_5", "Fine particles (PM2.5)",
            "Particles smaller than 2.5 µm: from traffic, heating and industry; they reach deep into the lungs and the blood. The main air-pollution health risk in Europe.",
            new Band[]
            {
                new(null, 15, "good: within the WHO guideline", "good"),
                new(15, 25, "fair: above the WHO guideline", "fair"),
                new(25, 50, "poor: above WHO interim targets 4 and 3", "poor"),
                new(50, 75, "very poor: above WHO interim target 2", "bad"),
                new(75, null, "extremely poor: above WHO interim target 1", "worst"),
            },
            Who2021, "The guideline is for a 24-hour mean; a single reading is an indication."),
        // WHO 2021 24-hour PM10: AQG 45, IT-4 50, IT-3 75, IT-2 100, IT-1 150 µg/m³.
        new("pm10", "Coarse particles (PM10)",
            "Particles smaller than 10 µm: road dust, construction, pollen as well as combustion; they irritate airways.",
            new Band[]
            {
                new(null, 45, "good: within the WHO guideline", "good"),
                new(45, 75, "fair: above the WHO guideline", "fair"),
                new(75, 100, "poor: above WHO interim target 3", "poor"),
                new(100, 150, "very poor: above WHO interim target 2", "bad"),
                new(150, null, "extremely poor: above WHO interim target 1", "worst"),
            },
            Who2021, "The guideline is for a 24-hour mean; a single reading is an indication. (NO2, the third WHO pollutant, has no CityNode sensor yet.)"),
        new("pm1", "Ultrafine-ish particles (PM1)", "Particles smaller than 1 µm, a part of PM2.5. No guideline of its own.", Array.Empty<Band>(), null, null),
        new("air_temperature", "Air temperature", "Temperature of the air at the node, in the shade of its housing.", Array.Empty<Band>(), null, null),
        new("relative_humidity", "Relative humidity", "How close the air is to saturation; particle sensors read high in fog and above ~85 %.", Array.Empty<Band>(), null, null),
        new("air_pressure", "Air pressure", "Barometric pressure at the node (not reduced to sea level).", Array.Empty<Band>(), null, null),
        new("co2", "Carbon dioxide (CO2)", "CO2 concentration; outdoors about 420 ppm, higher near traffic and in still air.", Array.Empty<Band>(), null, null),
        new("gas_resistance", "Gas sensor resistance", "Resistance of a metal-oxide gas sensor: lower means more volatile organic compounds. A relative indication only.", Array.Empty<Band>(), null, null),
        // 2006/44/EC Annex I, temperature: at most 21.5 °C for salmonid and 28 °C for cyprinid waters.
        new("water_temperature", "Water temperature",
            "Warm water holds less oxygen and stresses fish; cold-water species (trout, salmon) suffer first.",
            new Band[]
            {
                new(null, 21.5, "good for all fish waters", "good"),
                new(21.5, 28, "too warm for trout and salmon waters", "fair"),
                new(28, null, "too warm for any fish water", "bad"),
            },
            FishDirective + ": at most 21.5 °C (salmonid) and 28 °C (cyprinid waters)", null),
        // 2006/44/EC Annex I: pH 6 to 9 (imperative, both water types).
        new("ph", "Acidity (pH)",
            "7 is neutral; below 6 or above 9 harms fish and releases metals from sediments.",
            new Band[]
            {
                new(null, 6, "too acidic for fish waters", "bad"),
                new(6, 9, "good: within 6 to 9", "good"),
                new(9, null, "too alkaline for fish waters", "bad"),
            },
            FishDirective + ": pH 6 to 9", null),
        // 2020/2184 Annex I Part C: conductivity indicator value 2500 µS/cm at 20 °C.
        new("conductivity", "Conductivity",
            "How well the water conducts electricity, i.e. how much salt and dissolved matter it carries; a sudden rise can mean a discharge.",
            new Band[]
            {
                new(null, 2500, "within the drinking-water indicator value", "good"),
                new(2500, null, "above the drinking-water indicator value (2500 µS/cm)", "bad"),
            },
            DrinkingWater + ": 2500 µS/cm at 20 °C", "Rivers are not drinking water; the value is a point of reference."),
        // 2006/44/EC Annex I, dissolved oxygen: 50 % of samples at least 9 mg/L (salmonid) and 7 mg/L (cyprinid waters).
        new("dissolved_oxygen", "Dissolved oxygen",
            "Oxygen fish and other life breathe. Low oxygen follows sewage, algae die-off or warm still water.",
            new Band[]
            {
                new(null, 7, "poor: below the level for cyprinid fish waters", "bad"),
                new(7, 9, "fair: enough for cyprinid waters, not for trout and salmon", "fair"),
                new(9, null, "good for all fish waters", "good"),
            },
            FishDirective + ": at least 9 mg/L (salmonid) and 7 mg/L (cyprinid waters) in 50 % of samples", null),
        // WHO Guidelines for drinking-water quality, 4th ed. (2017), turbidity: above 4-5 NTU noticeable to the eye.
        new("turbidity", "Turbidity",
            "Cloudiness from suspended mud, algae or waste; rain washes soil in, a discharge shows as a sudden peak.",
            new Band[]
            {
                new(null, 5, "clear to the eye", "good"),
                new(5, null, "visibly cloudy", "fair"),
            },
            "WHO Guidelines for drinking-water quality, 4th edition (2017), turbidity: visible above about 4 to 5 NTU", null),
        new("tds", "Dissolved solids (TDS)", "Mass of dissolved matter, estimated from conductivity.", Array.Empty<Band>(), null, null),
        new("orp", "Oxidation-reduction potential", "Whether the water tends to oxidise (higher mV, e.g. disinfected) or reduce (low mV, e.g. decaying matter).", Array.Empty<Band>(), null, null),
        new("salinity", "Salinity", "Salt content, from conductivity.", Array.Empty<Band>(), null, null),
        new("light", "Light", "Ambient light at the node.", Array.Empty<Band>(), null, null),
        new("gage_height", "Water level", "Height of the water surface at the gauge.", Array.Empty<Band>(), null, null),
        new("battery", "Battery", "The node's own battery voltage.", Array.Empty<Band>(), null, null),
    };

    private static readonly Dictionary<string, Quantity> ByChannel = Table.ToDictionary(q => q.Channel);

    public static Quantity? Of(string channel) => ByChannel.GetValueOrDefault(channel);

    /// <summary>The band a value falls in, or null where the quantity has no published limits.</summary>
    public static Band? Level(string channel, double value) =>
        Of(channel)?.Bands.FirstOrDefault(b => (b.From is null || value >= b.From) && (b.To is null || value < b.To));

    /// <summary>The channel the map colours a node by: the first with bands that the node reports.</summary>
    public static readonly string[] MapPriority = { "pm2_5", "pm10", "dissolved_oxygen", "turbidity", "ph", "water_temperature", "conductivity" };
}
