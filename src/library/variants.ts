// The library's variants: one version of an exercise per student, and a variant's spec from the manifest.
// Variants read more than a spec: every reader is provided (spec/readers.ts).
import '../spec/all-readers.js';

/** One variant of an exercise per student (`exactprop variants`): makeVariants(text, { seed, count | ids })
 *  returns every file of the output folder (manifest, each form's spec, key, worksheet and solution, the
 *  Moodle XML, QTI and LaTeX booklet) without writing any; variantSpecText(manifest, id) gives a student's
 *  spec text from the manifest alone, for marking them against their own variant. */
export { makeVariants, variantSpecText, manifestVariant, keyText, VARIANT_EXPORTS, MAX_VARIANTS } from '../variants/generate.js';
export type { Manifest, ManifestVariant, Variant, Blank, VariantsOptions, VariantsResult, VariantExport } from '../variants/generate.js';
export type { GradingPolicy } from '../variants/policy.js';
