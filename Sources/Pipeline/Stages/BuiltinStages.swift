/// The stages that ship with the package, in pipeline order.
public enum BuiltinStages {
    /// Every built-in stage definition.
    public static var all: [StageDefinition] {
        [
            ReadMIDI.definition,
            SplitTimeChanges.definition,
            Quantize.definition,
            SliceBars.definition,
            ExtractMelody.definition,
            ExtractDrums.definition,
            Encode.definition,
            Sample.definition,
            Interpolate.definition,
            Grid.definition,
            Similar.definition,
            AttributeShift.definition,
            Average.definition,
            Decode.definition,
            JoinBars.definition,
            ConcatWindows.definition,
            Transpose.definition,
            Merge.definition,
            WriteMIDI.definition,
            RenderStage.definition,
            PianoRollStage.definition,
        ]
    }
}
