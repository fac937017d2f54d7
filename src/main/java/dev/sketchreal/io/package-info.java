/**
 * File formats at the edge of the program, all validated as untrusted input and all written
 * atomically ({@link dev.sketchreal.io.AtomicFiles}):
 *
 * <ul>
 *   <li>safetensors: {@link dev.sketchreal.io.SafetensorsFile} (memory-mapped per tensor, files
 *       over 2 GiB), {@link dev.sketchreal.io.SafetensorsWriter};
 *   <li>model folders: {@link dev.sketchreal.io.WeightSource} over a diffusers/transformers
 *       component folder (single file, shards, fp16 variant; pickles refused);
 *   <li>configs: {@link dev.sketchreal.io.Json};
 *   <li>images: {@link dev.sketchreal.io.ImageFiles} (input, size-limited), {@link
 *       dev.sketchreal.io.PngWriter} and {@link dev.sketchreal.io.PngMetadata} (output with the
 *       generation parameters).
 * </ul>
 *
 * Errors about malformed content are {@link dev.sketchreal.io.FormatException}s whose message names
 * the file and the key.
 */
package dev.sketchreal.io;
