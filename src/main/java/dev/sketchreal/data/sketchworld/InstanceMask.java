package dev.sketchreal.data.sketchworld;

import dev.sketchreal.data.Mask;

/** The visible mask of one object (photo space) or one drawn icon (sketch space). */
public record InstanceMask(int instance, Category category, Mask mask) {}
